'use strict';
// What every presign peer shares with bench/presign/run.sh: the request shape and the output lines.
// Each contender signs the same requests: path-style PUT to http://127.0.0.1:9000/bench-bucket/<key>
// with a signed Content-Type, 3600 s expiry, fixed fake credentials.

const shape = {
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'bench-bucket',
  contentType: 'image/jpeg',
  expires: 3600,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

// Must match bench/presign/run.sh's key file and bench/peers/presign_botocore.py.
function keyFor(i) {
  return `uploads/u${i % 1000}/img-${i}.jpg`;
}

// --count N (URLs to sign after warm-up), --date YYYYMMDDTHHMMSSZ (freeze the signing clock).
function parseArgs(argv) {
  const args = { count: 100000, warmup: 2000, date: null };
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) {
      throw new Error(`missing value for ${name}`);
    }
    if (name === '--count') {
      args.count = Number.parseInt(value, 10);
    } else if (name === '--warmup') {
      args.warmup = Number.parseInt(value, 10);
    } else if (name === '--date') {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
      if (!m) {
        throw new Error(`bad --date ${value}`);
      }
      args.date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
    } else {
      throw new Error(`unknown argument ${name}`);
    }
  }
  return args;
}

// Wall-clock and CPU (user + system) time of the timed loop, in seconds.
function startTimer() {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return {
      wall: Number(process.hrtime.bigint() - wall) / 1e9,
      cpu: (used.user + used.system) / 1e6,
    };
  };
}

// Two lines, read by run.sh. CPU time is the fair figure on a busy machine: wall-clock time
// also counts the time another process held the core.
function report(name, count, elapsed, firstUrl) {
  process.stdout.write(`first_url ${firstUrl}\n`);
  process.stdout.write(`contender ${name} count ${count} seconds ${elapsed.wall.toFixed(6)} ` +
                       `cpu_seconds ${elapsed.cpu.toFixed(6)} ` +
                       `urls_per_second ${(count / elapsed.wall).toFixed(0)} ` +
                       `urls_per_cpu_second ${(count / elapsed.cpu).toFixed(0)}\n`);
}

module.exports = { shape, keyFor, parseArgs, startTimer, report };
