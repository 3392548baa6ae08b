// Real PNG files for the browser tests, made in a few lines with node:zlib: the API checks magic
// bytes and the IHDR, and the gallery shows the pictures, so they must be valid images.

import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * An RGB PNG of width x height whose pixels come from `pixel(x, y) -> [r, g, b]`. `padding` bytes
 * of random data go into a private ancillary chunk (`prVt`, which decoders skip), to make the
 * file as big as a test needs without making the picture big.
 */
export function encodePng(width, height, pixel, padding = 0) {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    rows[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      rows[o++] = r;
      rows[o++] = g;
      rows[o++] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
  const parts = [signature, chunk('IHDR', ihdr)];
  if (padding > 0) {
    parts.push(chunk('prVt', randomBytes(padding)));
  }
  parts.push(chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** A soft two-colour gradient with a disc: easy to tell apart in a screenshot. */
export function picture(width, height, from, to, disc) {
  const cx = width * 0.62;
  const cy = height * 0.45;
  const r2 = (Math.min(width, height) * 0.28) ** 2;
  return encodePng(width, height, (x, y) => {
    if ((x - cx) ** 2 + (y - cy) ** 2 < r2) {
      return disc;
    }
    const t = (x + y) / (width + height);
    return from.map((c, i) => Math.round(c + (to[i] - c) * t));
  });
}

/** A valid PNG of exactly `total` bytes (a small picture plus a private chunk). */
export function pngOfSize(total, from = [40, 90, 160], to = [230, 170, 60]) {
  const draw = (pad) =>
    encodePng(64, 40, (x, y) => from.map((c, i) => Math.round(c + ((to[i] - c) * (x + y)) / 104)), pad);
  const pad = total - draw(0).length - 12; // the private chunk's length, type and CRC
  if (pad < 0) {
    throw new Error(`${total} bytes is too small for a padded PNG`);
  }
  const data = draw(pad);
  if (data.length !== total) {
    throw new Error(`pngOfSize: made ${data.length} bytes, wanted ${total}`);
  }
  return data;
}
