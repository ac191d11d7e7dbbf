import type { photoZhCN } from './photo.zh-CN'

export const photoEn: Record<keyof typeof photoZhCN, string> = {
  'photo.badId': 'Invalid photo id: 8 to 64 letters, digits, - or _.',
  'photo.tooLarge': 'The photo is too large: at most {maxMb} MB.',
  'photo.empty': 'The photo is an empty file.',
  'photo.notImage': 'Not a photo: only JPEG, PNG or WebP images are accepted.',
  'photo.broken': 'The photo file is damaged and cannot be read.',
  'photo.thumbnailTooLarge': 'The thumbnail is too large: at most {maxKb} KB.',
  'photo.thumbnailNotImage': 'Not a thumbnail: only JPEG or WebP images are accepted.',
  'photo.visitNotFound': 'Visit not found.',
  'photo.notAuthor': 'Only the officer who recorded the visit may add its photos.',
  'photo.idTaken': 'This photo id is already used by another photo.',
  'photo.tooMany': 'A visit holds at most {max} photos.',
  'photo.notFound': 'Photo not found.',
  'photo.title': 'Storefront photos',
  'photo.thumbAlt': 'Storefront photo {n}',
  'photo.noPosition': 'no position',
  'photo.hint': 'Take storefront photos (several if needed); they are shrunk and stamped with time, position, client and officer, and wait with the visit when there is no signal.',
}
