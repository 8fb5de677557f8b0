/**
 * The demo world rendered in Content Server wire shapes (wire.ts): node properties, versions,
 * category values and definitions, and ancestors (members are in members.ts). Pure
 * functions; the route modules wrap them in envelopes.
 */
import type { DemoVersion } from '../demo/world.ts';
import { naiveDate, type CategoryDef, type CategoryValues } from './categories.ts';
import type { SimDocument, SimNode } from './node-store.ts';
import { SUBTYPE, type AncestorInfo, type NodeProperties, type VersionInfo } from '../../sources/otcs/wire.ts';

export { naiveDate };

const sizeFormatted = (n: SimNode, size: number): string =>
  n.type === SUBTYPE.document ? (size < 1024 ? `${size} B` : `${Math.ceil(size / 1024)} KB`) : `${size} Items`;

/** `data.properties` of a node (keys as SEEN in pyxecm get_node). */
export function nodeProperties(n: SimNode, childCount: number): NodeProperties {
  const doc = n.document;
  const container = n.type !== SUBTYPE.document;
  const size = doc ? doc.size : childCount;
  return {
    advanced_versioning: null,
    container,
    container_size: container ? childCount : 0,
    create_date: n.createdAt,
    create_user_id: n.ownerId,
    description: n.description,
    description_multilingual: { en: n.description, de: '' },
    external_create_date: naiveDate(n.createdAt),
    external_identity: '',
    external_identity_type: '',
    external_modify_date: naiveDate(n.modifiedAt),
    external_source: '',
    favorite: false,
    hidden: false,
    icon: doc ? '/cssupport/webdoc/doc.gif' : '/cssupport/webdoc/folder.gif',
    icon_large: doc ? '/cssupport/webdoc/doc_large.gif' : '/cssupport/webdoc/folder_large.gif',
    id: n.id,
    mime_type: doc ? doc.mimeType : null,
    modify_date: n.modifiedAt,
    modify_user_id: n.ownerId,
    name: n.name,
    name_multilingual: { en: n.name, de: '' },
    owner: 'Admin',
    owner_group_id: 1001,
    owner_user_id: n.ownerId,
    parent_id: n.parentId,
    permissions_model: 'advanced',
    reserved: false,
    reserved_date: null,
    reserved_shared_collaboration: false,
    reserved_user_id: 0,
    size,
    size_formatted: sizeFormatted(n, size),
    status: null,
    type: n.type,
    type_name: n.typeName,
    versionable: Boolean(doc),
    versions_control_advanced: false,
    volume_id: -2000,
    ...(doc ? { preferred_rendition_type: [''] } : {}),
  };
}

/** Keep only the named properties (`fields=properties{a,b}`). */
export function pick(props: NodeProperties, keys: true | Set<string>): Record<string, unknown> {
  if (keys === true) return props;
  return Object.fromEntries(Object.entries(props).filter(([k]) => keys.has(k)));
}

const ext = (fileName: string) => /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';

/** A version object (SEEN pyxecm keys). */
export function versionInfo(doc: SimDocument, v: DemoVersion): VersionInfo {
  // Versions written through the API carry their own major/minor numbers (add_major_version).
  const major = 'major' in v && typeof v.major === 'number' ? v.major : 0;
  const minor = 'minor' in v && typeof v.minor === 'number' ? v.minor : v.number;
  return {
    create_date: v.createdAt,
    description: v.description,
    external_create_date: null,
    external_identity: '',
    external_identity_type: '',
    external_modify_date: naiveDate(v.createdAt),
    external_source: 'file_system',
    file_create_date: v.createdAt,
    file_modify_date: v.createdAt,
    file_name: v.fileName,
    file_size: v.size,
    file_type: ext(v.fileName),
    has_generation: false,
    id: doc.nodeId,
    locked: false,
    locked_date: null,
    locked_user_id: null,
    mime_type: v.mimeType,
    modify_date: v.createdAt,
    name: v.fileName,
    owner_id: v.createdBy,
    provider_id: doc.nodeId * 10 + v.number,
    version_id: doc.nodeId * 100 + v.number,
    version_number: v.number,
    version_number_major: major,
    version_number_minor: minor,
    version_number_name: major > 0 ? `${major}.${minor}` : String(v.number),
  };
}

/**
 * Titles and personas of a version's keys, as the csui drag-and-drop mock of
 * `GET /api/v1/nodes/{id}/versions` gives them (SEEN); keys it gives no title have none.
 */
const VERSION_TITLES: Record<string, string> = {
  create_date: 'Created',
  description: 'Description',
  external_create_date: 'External Create Date',
  external_identity: 'External Identity',
  external_identity_type: 'External Identity Type',
  external_modify_date: 'External Modify Date',
  external_source: 'External Source',
  file_create_date: 'File Created',
  file_modify_date: 'File Modified',
  file_name: 'File Name',
  file_size: 'File Size',
  file_type: 'File Type',
  id: 'ID',
  mime_type: 'MIME Type',
  modify_date: 'Modified',
  name: 'Name',
  owner_id: 'Created By',
  provider_id: 'Storage Provider',
  version_number: 'Version Number',
  version_number_name: 'Version',
};
const VERSION_PERSONAS: Record<string, string> = {
  id: 'node',
  owner_id: 'user',
  locked_user_id: 'user',
  provider_id: 'storage_provider',
};

/**
 * `definitions` of a v1 versions answer: one `{key, name?, persona, type}` per key of the
 * version object, typed as the mock types them (-7 date, 2 integer, 5 boolean, -1 text).
 */
export function versionDefinitions(v: VersionInfo): Record<string, { key: string; name?: string; persona: string; type: number }> {
  const typeOf = (key: string, value: unknown): number =>
    key.endsWith('_date') ? -7 : key.endsWith('_id') || typeof value === 'number' ? 2 : typeof value === 'boolean' ? 5 : -1;
  return Object.fromEntries(
    Object.entries(v).map(([key, value]) => {
      const name = VERSION_TITLES[key];
      return [key, { key, ...(name ? { name } : {}), persona: VERSION_PERSONAS[key] ?? '', type: typeOf(key, value) }];
    }),
  );
}

/** The latest version of a document. */
export const latest = (doc: SimDocument): DemoVersion => doc.versions[doc.versions.length - 1] as DemoVersion;

/**
 * One entry of `GET /nodes/{id}/categories` (SEEN pyxecm): a category's values plus
 * definitions, the category's own first, under `metadata.categories` or directly in
 * `metadata` (`layout`).
 */
export function categoryEntry(def: CategoryDef, values: CategoryValues, layout: 'nested' | 'flat'): Record<string, unknown> {
  const catKey = String(def.id);
  const metadata: Record<string, unknown> = {
    [catKey]: { key: catKey, name: def.name, persona: 'category', read_only: false, type_name: 'Category' },
  };
  for (const a of def.attributes.values()) {
    metadata[a.key] = {
      key: a.key,
      name: a.name,
      max_length: a.type === 'String' ? 64 : null,
      multi_value: a.multi,
      required: false,
      type_name: a.type,
      persona: '',
      read_only: false,
    };
  }
  return {
    data: { categories: values },
    metadata: layout === 'nested' ? { categories: metadata } : metadata,
    metadata_map: { categories: { [catKey]: [...def.attributes.keys()] } },
    metadata_order: { categories: [catKey] },
  };
}

/** An ancestors-list entry. */
export function ancestorInfo(n: SimNode): AncestorInfo {
  return { id: n.id, name: n.name, parent_id: n.parentId, type: n.type, type_name: n.typeName, volume_id: -2000 };
}
