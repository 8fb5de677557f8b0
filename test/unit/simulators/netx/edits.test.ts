/** The NetX simulator's write state: attribute checks, attributes written over the world, folder membership, distribution folders. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAssetChanges } from '../../../../simulators/demo/asset-changes.ts';
import { attributesOf } from '../../../../simulators/netx/attributes.ts';
import { checkAttributes, createNetxEdits } from '../../../../simulators/netx/edits.ts';
import {
  DEMO_NETX_DISTRIBUTION_FOLDERS,
  FOLDER,
  distributionFoldersOf,
  folderById,
  folderByPath,
} from '../../../../simulators/netx/folders.ts';
import { RpcFault } from '../../../../simulators/netx/rpc-fault.ts';
import { demoMapping } from '../../../../sources/mapping.ts';
import { testWorld } from '../../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const A = mapping.netx.attributes;
const KIND = 'Asset Type';

const invalidParams = (fn: () => unknown, text: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof RpcFault && e.code === -32602 && text.test(e.message));

describe('checkAttributes', () => {
  it('accepts mapped attributes, normalizing dates to ISO instants', () => {
    assert.deepEqual(
      checkAttributes(
        {
          [A.rightsStatus]: ['Restricted'],
          [A.validUntil]: ['2027-01-01'],
          [A.territories]: ['EMEA', 'NA', 'EMEA'],
          [A.channels]: [],
          [KIND]: ['Video'],
        },
        mapping,
        KIND,
      ),
      {
        [A.rightsStatus]: ['Restricted'],
        [A.validUntil]: ['2027-01-01T00:00:00.000Z'],
        [A.territories]: ['EMEA', 'NA'],
        [A.channels]: [],
        [KIND]: ['Video'],
      },
    );
  });

  it('answers -32602 for what NetX would refuse', () => {
    invalidParams(() => checkAttributes({ 'Rights State': ['Restricted'] }, mapping, KIND), /unknown attribute "Rights State"/);
    invalidParams(() => checkAttributes({ [A.rightsStatus]: ['RESTRICTED'] }, mapping, KIND), /not a value of attribute/);
    invalidParams(() => checkAttributes({ [A.approval]: ['Approved', 'Rejected'] }, mapping, KIND), /takes one value/);
    invalidParams(() => checkAttributes({ [A.campaignCode]: ['A', 'B'] }, mapping, KIND), /takes one value/);
    invalidParams(() => checkAttributes({ [A.validFrom]: ['someday'] }, mapping, KIND), /takes a date/);
    invalidParams(() => checkAttributes({ [A.channels]: 'web' }, mapping, KIND), /list of non-empty strings/);
    invalidParams(() => checkAttributes({ [A.channels]: [''] }, mapping, KIND), /list of non-empty strings/);
    invalidParams(() => checkAttributes([], mapping, KIND), /object of value lists/);
  });
});

describe('createNetxEdits', () => {
  const setup = () => {
    const changes = createAssetChanges(world, 'NETX');
    return { changes, edits: createNetxEdits(world, changes.view, mapping, KIND) };
  };
  const asset = (view: typeof world, id: string) => {
    const a = view.assetById('NETX', id);
    assert.ok(a);
    return a;
  };

  it('serves attributes written over the world, the others as they were', () => {
    const { changes, edits } = setup();
    const a = asset(changes.view, '100003');
    const before = attributesOf(a, mapping, KIND);
    edits.writeAttributes(a, { [A.rightsStatus]: ['Expired'], [A.channels]: [] });
    assert.deepEqual(edits.attributes(a), { ...before, [A.rightsStatus]: ['Expired'], [A.channels]: [] });
    edits.clear();
    assert.deepEqual(edits.attributes(a), before);
  });

  it('lets a later /__sim/assets edit of the same field win, and keeps the other written values', () => {
    const { changes, edits } = setup();
    edits.writeAttributes(asset(changes.view, '100003'), { [A.rightsStatus]: ['Expired'], [A.channels]: ['web'] });
    changes.update('100003', { rights: { status: 'PENDING' } });
    const now = edits.attributes(asset(changes.view, '100003'));
    assert.deepEqual(now[A.rightsStatus], ['Pending']);
    assert.deepEqual(now[A.channels], ['web']);
  });

  it('files an asset in and out of folders, answering whether anything changed', () => {
    const { changes, edits } = setup();
    const a = asset(changes.view, '100005');
    const [portal] = DEMO_NETX_DISTRIBUTION_FOLDERS as [number];
    const was = edits.folders(a);
    assert.ok(was.includes(portal));
    assert.equal(edits.setMembership(a, portal, false), true);
    assert.equal(edits.setMembership(a, portal, false), false);
    assert.deepEqual(
      edits.folders(a),
      was.filter((f) => f !== portal),
    );
    assert.equal(edits.setMembership(a, FOLDER.brand, true), true);
    assert.equal(edits.setMembership(a, portal, true), true);
    assert.deepEqual(new Set(edits.folders(a)), new Set([...was, FOLDER.brand]));
    edits.clear();
    assert.deepEqual(edits.folders(a), was);
  });

  it('keeps distribution membership as generated when rights change later', () => {
    const { changes, edits } = setup();
    changes.update('100005', { approval: 'REJECTED', rights: { channels: [] } });
    assert.ok(edits.folders(asset(changes.view, '100005')).includes(FOLDER.partnerPortal));
  });
});

describe('distribution folders', () => {
  it('are folders under Top/Brand, found by id and path', () => {
    for (const id of DEMO_NETX_DISTRIBUTION_FOLDERS) {
      const f = folderById(world, id);
      assert.ok(f && f.parentId === FOLDER.brand && f.path.startsWith('Top/Brand/'));
      assert.equal(folderByPath(world, f.path), id);
    }
  });

  it('hold the approved partner-channel assets of open campaigns and the co-branded logos', () => {
    const netx = [...world.assets('NETX')];
    const inFolder = (id: number) => netx.filter((a) => distributionFoldersOf(world, a).includes(id));
    const portal = inFolder(FOLDER.partnerPortal);
    const cobranding = inFolder(FOLDER.partnerCobranding);
    assert.ok(portal.length > 10 && cobranding.length > 0);
    for (const a of [...portal, ...cobranding]) assert.ok(a.approval === 'APPROVED' && a.rights.channels.includes('partner'));
    assert.ok(portal.every((a) => a.campaignCode && world.campaignByCode(a.campaignCode)?.openToAllPartners));
    assert.ok(cobranding.every((a) => a.accountId));
    assert.ok(
      portal.some((a) => a.rightsCase === 'licence-expired' || a.rightsCase === 'expired'),
      'write-back has something to take out',
    );
  });
});
