import net from 'node:net';

/**
 * IPv4 ranges that are not the public internet (IANA's special-purpose registry): this host,
 * private networks, carrier-grade NAT (Alibaba's metadata service sits there), loopback,
 * link-local (every cloud's 169.254.169.254), documentation, benchmarking, multicast, reserved.
 */
const NOT_PUBLIC_V4: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/**
 * IPv6 inside global unicast (2000::/3) that is still not a host of its own: protocol
 * assignments and Teredo, documentation, and 6to4, whose embedded IPv4 address could be private.
 * Everything outside 2000::/3 is refused: loopback, unique-local (fd00:ec2::254 is AWS's
 * metadata), link-local, IPv4-mapped and NAT64 forms of any address, multicast.
 */
const NOT_PUBLIC_V6: readonly [string, number][] = [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
];

const notPublic = new net.BlockList();
for (const [address, prefix] of NOT_PUBLIC_V4) notPublic.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of NOT_PUBLIC_V6) notPublic.addSubnet(address, prefix, 'ipv6');
const globalUnicastV6 = new net.BlockList();
globalUnicastV6.addSubnet('2000::', 3, 'ipv6');

/**
 * Addresses or CIDR ranges a worker may fetch references from although they are not public
 * (a test server on loopback, an asset host on the private network).
 *
 * @throws TypeError naming an entry that is neither an IP address nor `address/prefix`.
 */
export function addressAllowList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.trim().split('/');
    const family = net.isIP(address);
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
    if (!family || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new TypeError(`"${entry}" is not an IP address or address/prefix`);
    }
    list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** True when `address` (an IP literal) is a public internet host, or one `allowed` lists. */
export function isPublicAddress(address: string, allowed?: net.BlockList): boolean {
  const family = net.isIP(address);
  if (!family) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (allowed?.check(address, type)) return true;
  if (notPublic.check(address, type)) return false;
  return family === 4 || globalUnicastV6.check(address, 'ipv6');
}
