import type { Dataset } from '../datasets/registry.js';
import { Errors } from '../errors/catalogue.js';
import type { Filter, Scalar } from '../query/spec.js';
import type { Principal, Scope } from './principal.js';

/** Refuses a principal without the scope a route needs (403). */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope)) {
    throw new Errors.Forbidden(`your credentials lack the "${scope}" scope this needs`);
  }
}

/** Whether a principal may see a dataset at all: its tenant, and its list of datasets. */
export function mayUse(principal: Principal, dataset: Dataset): boolean {
  const tenantOk = dataset.tenants === undefined || dataset.tenants.includes(principal.tenant);
  const listed = principal.datasets === '*' || principal.datasets.has(dataset.name);
  return tenantOk && listed;
}

/** Refuses a dataset the principal may not use (403). */
export function authorizeDataset(principal: Principal, dataset: Dataset): void {
  requireScope(principal, 'datasets:read');
  if (!mayUse(principal, dataset)) {
    throw new Errors.Forbidden(`your credentials do not give access to dataset "${dataset.name}"`);
  }
}

/**
 * The dataset's row filters bound to the principal's claims, as one filter: `column = value`,
 * or `column IN (values)` for a list claim. A principal without a claim a filter needs sees
 * nothing of the dataset (403).
 */
export function rowFilter(principal: Principal, dataset: Dataset): Filter | undefined {
  const filters: Filter[] = dataset.rowFilters.map(({ column, claim }) => {
    const value = principal.claims[claim];
    if (value === undefined) {
      throw new Errors.Forbidden(
        `dataset "${dataset.name}" shows rows by your "${claim}" claim, which your credentials do not carry`,
      );
    }
    return Array.isArray(value)
      ? { op: 'in', column, values: value as readonly Scalar[] }
      : { op: 'eq', column, value: value as Scalar };
  });
  return filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : { op: 'and', filters };
}
