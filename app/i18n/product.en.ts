import type { productZhCN } from './product.zh-CN'

export const productEn: Record<keyof typeof productZhCN, string> = {
  'product.rule.abnormal': 'listed as abnormal: no product takes it',
  'product.rule.deregistered': 'revoked or deregistered: no product takes it',
  'product.rule.statusUnknown': 'registration status unknown: verify it before referring',
  'product.rule.gradeD': 'tax grade D: no product takes it',
  'product.rule.noNeed': 'the latest visit records no financing need',
  'product.rule.kindOk': 'the {product} takes this kind of player',
  'product.rule.kindNot': 'the {product} does not take this kind of player',
  'product.rule.gradeOk': 'tax grade {grade}: the {product} takes {grades}',
  'product.rule.gradeNot': 'tax grade {grade}: the {product} needs {grades}',
  'product.rule.gradeUnknown': 'tax grade unknown: the {product} needs {grades}',
  'product.rule.registeredOk': 'registered at least {months} months',
  'product.rule.registeredShort': 'registered only {have} months: the {product} needs {months}',
  'product.rule.registeredUnknown': 'registration date unknown: the {product} needs {months} months',
  'product.rule.collateralOk': 'collateral or a guarantee is available',
  'product.rule.collateralMissing': 'the {product} needs collateral or a guarantee; the visit says none',
  'product.rule.termOk': 'term {term} months, within {max}',
  'product.rule.termLong': 'term {term} months: the {product} goes to {max} at most',
  'product.rule.limit': 'the {product} lends up to {limit} yuan',
}
