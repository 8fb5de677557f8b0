/**
 * The Hive Gateway peer's composition: four JSON-schema subgraphs over the simulators' vendor
 * REST/RPC APIs, joined with `@resolveTo` fields so one GraphQL request can walk from a
 * campaign workspace (Content Server) to its documents and to its assets in every DAM.
 *
 * Only the fields the scenarios read are described. Request bodies are `input` arguments in
 * the vendor's own shape (the loader adds the constant parts from `requestBaseBody`).
 * Endpoints and credentials are read from the environment at request time (`{env.X}`), so one
 * supergraph serves whichever simulators a run started. The runner pre-authenticates against
 * Content Server (ticket) and OTMM (OAuth token): neither login can be expressed as a Mesh
 * source option, so their tokens arrive through the environment.
 */
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

type Schema = Record<string, unknown>;
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const strs: Schema = { type: 'array', items: str };
const obj = (title: string, properties: Record<string, Schema>): Schema => ({ title, type: 'object', properties });
const list = (items: Schema): Schema => ({ type: 'array', items });

// ------------------------------------------------------------------ Content Server

const workspace = obj('OtcsWorkspace', {
  properties: obj('OtcsWorkspaceProperties', { id: int, name: str }),
  // The campaign category: attribute 2 is the campaign code (config/mapping.demo.json).
  categories: list(obj('OtcsCampaignCategory', { '9840_2': str, '9840_3': str })),
});
const docHits = obj('OtcsSearchResult', {
  collection: obj('OtcsCollection', { paging: obj('OtcsPaging', { total_count: int }) }),
  results: list(obj('OtcsHit', { data: obj('OtcsHitData', { properties: obj('OtcsNode', { id: int, name: str, mime_type: str }) }) })),
});

const otcs = loadJSONSchemaSubgraph('OTCS', {
  endpoint: '{env.BENCH_OTCS_URL}',
  operationHeaders: { OTCSTicket: '{env.BENCH_OTCS_TICKET}' },
  operations: [
    {
      type: 'Query',
      field: 'otcsCampaigns',
      method: 'GET',
      path: '/api/v2/businessworkspaces?expanded_view=true&where_workspace_type_id=16&fields=properties&fields=categories&sort=asc_name&page=1&limit={args.limit}',
      argTypeMap: { limit: int },
      responseSchema: obj('OtcsWorkspaceList', {
        paging: obj('OtcsWorkspacePaging', { total_count: int }),
        results: list(obj('OtcsWorkspaceResult', { data: workspace })),
      }),
    },
    {
      type: 'Query',
      field: 'otcsWorkspace',
      method: 'GET',
      path: '/api/v2/businessworkspaces/{args.id}?fields=properties&fields=categories',
      argTypeMap: { id: int },
      responseSchema: obj('OtcsWorkspaceOne', { results: obj('OtcsWorkspaceOneResult', { data: workspace }) }),
    },
    {
      // Content Server takes forms only: the body is the form (`where` is LQL).
      type: 'Query',
      field: 'otcsSearch',
      method: 'POST',
      path: '/api/v2/search',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      requestSchema: obj('OtcsSearchForm', { where: str, location_id1: str, limit: str, options: str }),
      requestBaseBody: { select: 'OTName' },
      responseSchema: docHits,
    },
  ],
});

// ------------------------------------------------------------------ iconik

const iconikAsset = obj('IconikAsset', {
  id: str,
  title: str,
  media_type: str,
  proxies: list(obj('IconikProxy', { name: str, url: str })),
  metadata: obj('IconikAssetMetadata', { atrium_rights_status: strs, atrium_rights_valid_until: strs, atrium_campaign_code: strs }),
});
const iconikFacet = obj('IconikFacet', { buckets: list(obj('IconikBucket', { key: str, doc_count: int })) });

const iconik = loadJSONSchemaSubgraph('ICONIK', {
  endpoint: '{env.BENCH_ICONIK_URL}',
  operationHeaders: {
    'App-ID': '{env.BENCH_ICONIK_APP_ID}',
    'Auth-Token': '{env.BENCH_ICONIK_AUTH_TOKEN}',
    'content-type': 'application/json',
  },
  operations: [
    {
      // url-join drops a slash before `?` and iconik needs it, so the page size is a query arg.
      type: 'Query',
      field: 'iconikSearch',
      method: 'POST',
      path: '/search/v1/search/',
      queryParamArgMap: { per_page: 'limit' },
      argTypeMap: { limit: int },
      requestSchema: obj('IconikSearchBody', {
        query: str,
        facets: strs,
        filter: obj('IconikFilter', { operator: str, terms: list(obj('IconikTerm', { name: str, value_in: strs })) }),
      }),
      requestBaseBody: { doc_types: ['assets'] },
      responseSchema: obj('IconikSearchResult', {
        total: int,
        objects: list(iconikAsset),
        facets: obj('IconikFacets', { media_type: iconikFacet, atrium_approval_status: iconikFacet, atrium_rights_status: iconikFacet }),
      }),
    },
    {
      type: 'Query',
      field: 'iconikAsset',
      method: 'GET',
      path: '/assets/v1/assets/{args.id}/',
      argTypeMap: { id: str },
      responseSchema: iconikAsset,
    },
  ],
});

// ------------------------------------------------------------------ NetX (JSON-RPC on POST /api/rpc)

const netxCriterion = obj('NetxCriterion', {
  operator: str,
  exact: obj('NetxExact', { attribute: str, field: str, value: str }),
  contains: obj('NetxContains', { attribute: str, field: str, value: str }),
});

const netx = loadJSONSchemaSubgraph('NETX', {
  endpoint: '{env.BENCH_NETX_URL}',
  operationHeaders: { Authorization: 'apiToken {env.BENCH_NETX_TOKEN}', 'content-type': 'application/json' },
  operations: [
    {
      // getAssetsByQuery(query, options): both positional params fit one object shape.
      type: 'Query',
      field: 'netxQuery',
      method: 'POST',
      path: '/api/rpc',
      requestSchema: obj('NetxRpcCall', {
        params: list(obj('NetxParam', { query: list(netxCriterion), data: strs, page: obj('NetxPage', { startIndex: int, size: int }) })),
      }),
      requestBaseBody: { jsonrpc: '2.0', id: '1', method: 'getAssetsByQuery' },
      responseSchema: obj('NetxRpcAnswer', {
        result: obj('NetxResults', {
          size: int,
          results: list(
            obj('NetxAsset', {
              id: int,
              name: str,
              attributes: obj('NetxAttributes', { 'Rights Status': strs, 'Rights Valid Until': strs, 'Campaign Code': strs }),
              views: list(obj('NetxView', { name: str, url: str })),
            }),
          ),
        }),
      }),
    },
  ],
});

// ------------------------------------------------------------------ OTMM

const otmmAsset = obj('OtmmAsset', {
  asset_id: str,
  name: str,
  rendition_content: obj('OtmmRenditions', {
    thumbnail_content: obj('OtmmThumbnail', { url: str }),
    preview_content: obj('OtmmPreview', { url: str }),
  }),
});

const otmm = loadJSONSchemaSubgraph('OTMM', {
  endpoint: '{env.BENCH_OTMM_URL}',
  operationHeaders: { Authorization: 'Bearer {env.BENCH_OTMM_TOKEN}' },
  operations: [
    {
      type: 'Query',
      field: 'otmmSearch',
      method: 'POST',
      path: '/otmmapi/v6/search/text',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      requestSchema: obj('OtmmSearchForm', { keyword_query: str, limit: str, facet_restriction_list: str }),
      requestBaseBody: { after: '0', load_type: 'metadata', level_of_detail: 'slim' },
      responseSchema: obj('OtmmSearchAnswer', {
        search_result_resource: obj('OtmmSearchResource', {
          search_result: obj('OtmmSearchResult', { total_hit_count: int }),
          asset_list: list(otmmAsset),
        }),
      }),
    },
    {
      type: 'Query',
      field: 'otmmAsset',
      method: 'GET',
      path: '/otmmapi/v6/assets/{args.id}?load_type=metadata',
      argTypeMap: { id: str },
      responseSchema: obj('OtmmAssetAnswer', { asset_resource: obj('OtmmAssetResource', { asset: otmmAsset }) }),
    },
  ],
});

// ------------------------------------------------------------------ the joins

// The category attribute `9840_2` is exposed (and interpolated) under its GraphQL-safe name.
const code = '{root.categories[0]._9840_2}';

export const composeConfig = defineConfig({
  subgraphs: [{ sourceHandler: otcs }, { sourceHandler: iconik }, { sourceHandler: netx }, { sourceHandler: otmm }],
  additionalTypeDefs: /* GraphQL */ `
    extend type OtcsWorkspace {
      documents(limit: String! = "10"): OtcsSearchResult
        @resolveTo(sourceName: "OTCS", sourceTypeName: "Query", sourceFieldName: "otcsSearch",
          requiredSelectionSet: "{ properties { id } }",
          sourceArgs: { input: { where: "OTSubType:144", location_id1: "{root.properties.id}", limit: "{args.limit}" } })
      iconikAssets(limit: Int! = 10): IconikSearchResult
        @resolveTo(sourceName: "ICONIK", sourceTypeName: "Query", sourceFieldName: "iconikSearch",
          requiredSelectionSet: "{ categories { _9840_2 } }",
          sourceArgs: { limit: "{args.limit}", input: { filter: { operator: "AND", terms: [{ name: "atrium_campaign_code", value_in: ["${code}"] }] } } })
      netxAssets(limit: Int! = 10): NetxRpcAnswer
        @resolveTo(sourceName: "NETX", sourceTypeName: "Query", sourceFieldName: "netxQuery",
          requiredSelectionSet: "{ categories { _9840_2 } }",
          sourceArgs: { input: { params: [
            { query: [{ operator: "and", exact: { attribute: "Campaign Code", value: "${code}" } }] },
            { data: ["asset.id", "asset.base", "asset.attributes", "asset.views"], page: { startIndex: "0", size: "{args.limit}" } }
          ] } })
      # OTMM's field conditions are JSON inside a form field, which Mesh cannot template; the
      # campaign code is in every asset's description, so a keyword query finds the same assets.
      otmmAssets(limit: String! = "10"): OtmmSearchAnswer
        @resolveTo(sourceName: "OTMM", sourceTypeName: "Query", sourceFieldName: "otmmSearch",
          requiredSelectionSet: "{ categories { _9840_2 } }",
          sourceArgs: { input: { keyword_query: "${code}", limit: "{args.limit}" } })
    }
  `,
});
