#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { execute } from '@oclif/core';

// A smaller young generation (V8's default lets it grow to 16 MiB semi-spaces, 48 MiB in all): large
// transfers churn through 1 MiB buffers, and this keeps the peak RSS of a multi-GiB transfer lower
// for a small cost in collections. Set before anything is allocated in bulk.
setFlagsFromString('--max-semi-space-size=4');

await execute({ dir: import.meta.url });
