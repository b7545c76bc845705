import type { Clock } from '../../application/ports/gateways.js';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
