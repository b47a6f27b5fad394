/** Which addresses a reference URL may reach (issue 20, row 2): the public internet, and what an operator allows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressAllowList, isPublicAddress } from '../../activities/public-address';
import { referenceFetchTrust } from '../../activities/reference-fetch';
import { loadSettings } from '../../common/settings';

test('loopback, private, link-local, metadata, mapped and reserved addresses are not public', () => {
  const notPublic = [
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '192.0.2.10',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:8.8.8.8',
    '64:ff9b::a9fe:a9fe',
    'fd00:ec2::254',
    'fc00::1',
    'fe80::1',
    'ff02::1',
    '2001:db8::1',
    '2002:7f00:1::1',
    '2001::1',
    'localhost',
    'not an address',
  ];
  for (const address of notPublic) assert.equal(isPublicAddress(address), false, address);
});

test('public IPv4 and global unicast IPv6 are public', () => {
  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450::1'])
    assert.equal(isPublicAddress(address), true, address);
});

test('an allow list opens exactly the addresses and ranges it names', () => {
  const allowed = addressAllowList(['127.0.0.1', '10.1.0.0/16', 'fd00::/8']);
  assert.equal(isPublicAddress('127.0.0.1', allowed), true);
  assert.equal(isPublicAddress('127.0.0.2', allowed), false);
  assert.equal(isPublicAddress('10.1.200.3', allowed), true);
  assert.equal(isPublicAddress('10.2.0.1', allowed), false);
  assert.equal(isPublicAddress('fd00:ec2::254', allowed), true);
  assert.equal(isPublicAddress('169.254.169.254', allowed), false);
  assert.throws(() => addressAllowList(['example.com']), /"example.com" is not an IP address or address\/prefix/);
  assert.throws(() => addressAllowList(['10.0.0.0/33']), /is not an IP address/);
});

test('the allow list and extra certificates come from settings, empty by default, refused by name when malformed', () => {
  assert.deepEqual(referenceFetchTrust(loadSettings({})), {});
  const trust = referenceFetchTrust(loadSettings({ SCENEGATE_REFERENCE_ALLOWED_ADDRESSES: '127.0.0.1, 10.1.0.0/16' }));
  assert.equal(isPublicAddress('10.1.2.3', trust.allowedAddresses), true);
  assert.equal(isPublicAddress('127.0.0.2', trust.allowedAddresses), false);
  for (const bad of ['example.com', '10.0.0.0/33', '127.0.0.1;10.0.0.1'])
    assert.throws(() => loadSettings({ SCENEGATE_REFERENCE_ALLOWED_ADDRESSES: bad }), {
      message: /^invalid setting SCENEGATE_REFERENCE_ALLOWED_ADDRESSES: expected IP addresses or CIDR ranges/,
    });
});
