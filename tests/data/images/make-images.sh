#!/usr/bin/env bash
# Regenerates the test images of tests/unit/api/image_probe_test.cpp. Not run by the build: the
# files are committed, so tests need none of these tools. Needs (Debian): imagemagick, webp,
# libavif-bin, python3. Run from anywhere; writes next to this script.
set -euo pipefail
cd "$(dirname "$0")"
convert=/usr/bin/convert  # the real ImageMagick, whatever else is on PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A small picture to encode: a gradient with a circle, 64x48.
$convert -size 64x48 gradient:orange-navy -fill white -draw 'circle 32,24 40,30' "$tmp/src.png"
$convert -size 64x48 xc:none -fill 'rgba(255,0,0,0.5)' -draw 'circle 32,24 40,30' "$tmp/alpha.png"

# JPEG: baseline, progressive.
$convert "$tmp/src.png" -strip -quality 80 -interlace none jpeg-baseline.jpg
$convert "$tmp/src.png" -strip -quality 80 -interlace JPEG jpeg-progressive.jpg

# PNG (64x48) and the same bytes under a .jpg name (declared JPEG, is PNG).
$convert "$tmp/src.png" -strip png-64x48.png
cp png-64x48.png png-renamed.jpg

# GIF: animated, 3 frames of 32x24.
$convert -delay 10 -size 32x24 xc:red xc:green xc:blue -loop 0 gif-animated.gif

# WebP: lossy (VP8), lossless (VP8L), extended (VP8X: alpha makes cwebp write VP8X + ALPH).
cwebp -quiet -q 75 "$tmp/src.png" -o webp-lossy.webp
cwebp -quiet -lossless "$tmp/src.png" -o webp-lossless.webp
cwebp -quiet -q 75 -alpha_q 100 "$tmp/alpha.png" -o webp-extended.webp

# AVIF (aom, fast).
avifenc -s 10 --min 20 --max 40 "$tmp/src.png" avif-64x48.avif >/dev/null

python3 - <<'PY'
import struct, zlib, random

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

def png(width, height, rows):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    body = chunk(b"IHDR", ihdr)
    if rows is not None:
        body += chunk(b"IDAT", zlib.compress(rows, 9))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")

# JPEG with a 60 KB EXIF APP1 and a 30 KB APP13 before the frame header (SOF), as cameras and
# phones write them: the probe must skip segments to reach SOF at ~90 KB.
jpeg = open("jpeg-baseline.jpg", "rb").read()
assert jpeg[:2] == b"\xff\xd8"
tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + struct.pack("<I", 0)
exif = b"Exif\x00\x00" + tiff
exif += bytes(random.Random(1).randrange(256) for _ in range(60000 - len(exif)))
app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
iptc = b"Photoshop 3.0\x00" + b"\x00" * 30000
app13 = b"\xff\xed" + struct.pack(">H", len(iptc) + 2) + iptc
open("jpeg-big-exif.jpg", "wb").write(jpeg[:2] + app1 + app13 + jpeg[2:])

# Sizes at and over the limits, real PNGs (greyscale rows of zeros compress to almost nothing).
open("png-30000x2.png", "wb").write(png(30000, 2, b"\x00" * (2 * 30001)))
open("png-30001x2.png", "wb").write(png(30001, 2, b"\x00" * (2 * 30002)))
# 20000x10001 = 200.02 megapixels, 14142x14142 = 199.996: headers only (no IDAT), which is all
# the probe reads; the pixel data would be 200 MB.
open("png-20000x10001-header-only.png", "wb").write(png(20000, 10001, None))
open("png-14142x14142-header-only.png", "wb").write(png(14142, 14142, None))

# PNG magic, then garbage: sniffs as PNG, but has no IHDR.
rnd = random.Random(2)
open("png-magic-then-garbage.png", "wb").write(
    b"\x89PNG\r\n\x1a\n" + bytes(rnd.randrange(256) for _ in range(2000)))

# Truncated files: cut inside the header.
def cut(src, dst, n):
    open(dst, "wb").write(open(src, "rb").read()[:n])
cut("png-64x48.png", "png-truncated-in-ihdr.png", 20)
cut("jpeg-big-exif.jpg", "jpeg-truncated-in-exif.jpg", 40000)
cut("gif-animated.gif", "gif-truncated.gif", 8)
cut("webp-lossy.webp", "webp-truncated.webp", 20)
cut("avif-64x48.avif", "avif-truncated.avif", 40)

open("text.txt", "wb").write(b"This is a text file, not an image.\n")
PY
ls -l
