// A product's name as the user reads it: the catalogue's three in the user's language, a
// product an admin added by the name the admin gave it.
import { isMessageKey, type Translate } from '../i18n/index'

export function productLabel(t: Translate, code: string, name: string): string {
  const key = `visit.product.${code}`
  return isMessageKey(key) ? t(key) : name
}
