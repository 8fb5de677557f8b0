/** The write-back's configuration: on by default, the demo's distribution containers, every bad id reported. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../gateway/config.ts';
import {
  DEMO_ICONIK_DISTRIBUTION_COLLECTIONS,
  DEMO_NETX_DISTRIBUTION_FOLDERS,
  DEMO_OTMM_DISTRIBUTION_POLICIES,
} from '../../../simulators/demo/distribution.ts';

describe('write-back configuration', () => {
  it("on by default; demo mode uses the simulators' distribution containers", () => {
    const c = loadConfig({});
    assert.equal(c.writeback.enabled, true);
    assert.deepEqual(c.upstream.iconik.distributionCollections, [...DEMO_ICONIK_DISTRIBUTION_COLLECTIONS]);
    assert.deepEqual(c.upstream.netx.distributionFolders, [...DEMO_NETX_DISTRIBUTION_FOLDERS]);
    assert.deepEqual(c.upstream.otmm.distributionPolicies, [...DEMO_OTMM_DISTRIBUTION_POLICIES]);
    assert.equal(loadConfig({ WRITEBACK_ENABLED: 'false' }).writeback.enabled, false);
  });

  it('reads the containers, comma- or space-separated', () => {
    const c = loadConfig({
      ICONIK_DISTRIBUTION_COLLECTIONS: '3d9a6c1e-52f4-4b7a-8e21-6f0c9d4b2a01, 3D9A6C1E-52F4-4B7A-8E21-6F0C9D4B2A02',
      NETX_DISTRIBUTION_FOLDERS: '12 14',
      OTMM_DISTRIBUTION_POLICIES: '7',
    });
    assert.equal(c.upstream.iconik.distributionCollections.length, 2);
    assert.deepEqual(c.upstream.netx.distributionFolders, [12, 14]);
    assert.deepEqual(c.upstream.otmm.distributionPolicies, [7]);
  });

  it('reports every bad id at once', () => {
    try {
      loadConfig({
        ICONIK_DISTRIBUTION_COLLECTIONS: 'partner-portal',
        NETX_DISTRIBUTION_FOLDERS: '5, -1',
        OTMM_DISTRIBUTION_POLICIES: 'x',
      });
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const text = e.problems.join('\n');
      assert.match(text, /ICONIK_DISTRIBUTION_COLLECTIONS must list UUIDs/);
      assert.match(text, /NETX_DISTRIBUTION_FOLDERS must list positive integer ids/);
      assert.match(text, /OTMM_DISTRIBUTION_POLICIES must list positive integer ids/);
    }
  });
});
