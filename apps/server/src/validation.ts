import { ValidationFailed } from './errors.js';
import type { RequestInput } from './request-input.js';

/**
 * Laravel-style validation with Laravel's wording: each check records at most one message per field
 * and returns the value (a placeholder when invalid); `done()` throws the 422 if anything failed.
 */
export class InputCheck {
  private readonly errors: Record<string, string[]> = {};

  constructor(private readonly input: RequestInput) {}

  requiredString(field: string, max?: number): string {
    return this.string(field, true, max) ?? '';
  }

  optionalString(field: string, max?: number): string | null {
    return this.string(field, false, max);
  }

  requiredInteger(field: string): number {
    const value = this.input.get(field);
    if (value === null || value === undefined) return this.fail(field, 'required', 0);
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number)) return this.fail(field, 'integer', 0);
    return number;
  }

  optionalBoolean(field: string): boolean | null {
    const value = this.input.get(field);
    if (value === null || value === undefined) return null;
    if (value === true || value === 1 || value === '1' || value === 'true') return true;
    if (value === false || value === 0 || value === '0' || value === 'false') return false;
    return this.fail(field, 'boolean', null);
  }

  /** Adds a message of the caller's own (e.g. production's `Invalid file name: …`). */
  reject(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  /** Whether `field` passed so far: lets access checks run before the 422, in production's order. */
  ok(field: string): boolean {
    return this.errors[field] === undefined;
  }

  done(): void {
    if (Object.keys(this.errors).length > 0) throw new ValidationFailed(this.errors);
  }

  private string(field: string, required: boolean, max?: number): string | null {
    const value = this.input.get(field);
    if (value === null || value === undefined) return required ? this.fail(field, 'required', null) : null;
    if (typeof value !== 'string') return this.fail(field, 'string', null);
    if (max !== undefined && [...value].length > max) return this.fail(field, `max:${max}`, null);
    return value;
  }

  private fail<T>(field: string, rule: string, placeholder: T): T {
    this.reject(field, laravelMessage(field, rule));
    return placeholder;
  }
}

export function laravelMessage(field: string, rule: string): string {
  const attribute = field.replace(/_/g, ' ');
  const [name, parameter] = rule.split(':');
  switch (name) {
    case 'required':
      return `The ${attribute} field is required.`;
    case 'string':
      return `The ${attribute} field must be a string.`;
    case 'integer':
      return `The ${attribute} field must be an integer.`;
    case 'boolean':
      return `The ${attribute} field must be true or false.`;
    case 'file':
      return `The ${attribute} field must be a file.`;
    case 'max':
      return `The ${attribute} field must not be greater than ${parameter} characters.`;
    default:
      return `The ${attribute} field is invalid.`;
  }
}
