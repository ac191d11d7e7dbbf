// Limits of a visit's photos, shared by the server and the browser (no secrets, no database).

/** A photo's size limit as received. The browser shrinks to about 200 KB; without JavaScript
 * a phone's camera file (3–8 MB) goes as it is. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024

/** Photos one visit may hold. */
export const MAX_PHOTOS_PER_VISIT = 6

/** A photo's id, made by the phone (a UUID, or any 8–64 letters, digits, - and _). */
export const PHOTO_ID = /^[A-Za-z0-9_-]{8,64}$/

/** A thumbnail's size limit: the phone's small copy (longest side 240 px) is about 5–10 KB. */
export const MAX_THUMBNAIL_BYTES = 32 * 1024

/** The thumbnail's longest side, as the phone draws it. */
export const THUMBNAIL_SIDE = 240
