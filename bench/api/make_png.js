'use strict';
// Writes a PNG-looking file of exactly SIZE bytes: the PNG signature, a valid IHDR (so a server
// that checks magic bytes and reads width/height from the header accepts it), one IDAT chunk of
// random bytes filling the rest, and IEND, every chunk with its correct CRC-32. Random bytes, so
// nothing on the way can compress it.
// Usage: node make_png.js FILE [SIZE=2097152] [WIDTH=1024] [HEIGHT=683]
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');

const [file, sizeArg = '2097152', widthArg = '1024', heightArg = '683'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node make_png.js FILE [SIZE] [WIDTH] [HEIGHT]\n');
  process.exit(2);
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(Number(widthArg), 0);
ihdr.writeUInt32BE(Number(heightArg), 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, adaptive filter, no interlace
const head = Buffer.concat([signature, chunk('IHDR', ihdr)]);
const iend = chunk('IEND', Buffer.alloc(0));
const fill = Number(sizeArg) - head.length - iend.length - 12;
if (fill < 0) {
  throw new Error(`SIZE must be at least ${head.length + iend.length + 12}`);
}
fs.writeFileSync(file, Buffer.concat([head, chunk('IDAT', crypto.randomBytes(fill)), iend]));
