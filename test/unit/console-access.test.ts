/** Who the console answers: the Host names a tokenless console accepts, and what its sign-in cookie holds. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOwnHost, sessionOf } from '../../client/console/access';

test('a tokenless console answers loopback names and addresses on its own port only', () => {
  for (const host of ['127.0.0.1:8240', 'localhost:8240', 'LOCALHOST:8240', '[::1]:8240', '127.0.0.2:8240']) {
    assert.equal(isOwnHost(host, 8240), true, host);
  }
  for (const host of [
    undefined,
    '',
    'rebound.example:8240', // a name whose DNS answers 127.0.0.1
    'localhost.example:8240',
    '127.0.0.1.nip.io:8240',
    'localhost:8241',
    'localhost',
    '0x7f.1:8240',
    'user@localhost:8240',
    'localhost:8240/x',
    '10.0.0.1:8240',
  ]) {
    assert.equal(isOwnHost(host, 8240), false, String(host));
  }
  assert.equal(isOwnHost('localhost', 80), true, 'port 80 may go unsaid');
  assert.equal(isOwnHost('localhost:80', 80), true);
});

test('the address people were given (SCENEGATE_CONSOLE_URL) is answered too, exactly', () => {
  const named = [new URL('http://review.example.com:9000/').host];
  assert.equal(isOwnHost('review.example.com:9000', 8240, named), true);
  assert.equal(isOwnHost('Review.Example.com:9000', 8240, named), true);
  assert.equal(isOwnHost('review.example.com:8240', 8240, named), false);
});

test('the sign-in cookie is derived from the token, not the token, and changes with it', () => {
  const token = 'a-long-enough-console-token';
  assert.notEqual(sessionOf(token), token);
  assert.ok(!sessionOf(token).includes(token));
  assert.equal(sessionOf(token), sessionOf(token));
  assert.notEqual(sessionOf(`${token}2`), sessionOf(token));
});
