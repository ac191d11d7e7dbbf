// 走访门头照的文案（services/visit-photos、routes/api.v1.visits.$id.photos.$photoId.ts、routes/visits.$id.photos.$photoId.ts）。
export const photoZhCN = {
  'photo.badId': '照片编号无效：应为 8 到 64 位字母、数字、- 或 _。',
  'photo.tooLarge': '照片过大：不能超过 {maxMb} MB。',
  'photo.empty': '照片为空文件。',
  'photo.notImage': '不是照片：只接受 JPEG、PNG 或 WebP 图片。',
  'photo.broken': '照片文件已损坏，无法读取。',
  'photo.thumbnailTooLarge': '缩略图过大：不能超过 {maxKb} KB。',
  'photo.thumbnailNotImage': '缩略图无效：只接受 JPEG 或 WebP 图片。',
  'photo.visitNotFound': '找不到该走访记录。',
  'photo.notAuthor': '只有记录该走访的客户经理可以为其添加照片。',
  'photo.idTaken': '该照片编号已被另一张照片使用。',
  'photo.tooMany': '一次走访最多 {max} 张照片。',
  'photo.notFound': '找不到该照片。',
  'photo.title': '门头照',
  'photo.thumbAlt': '门头照 {n}',
  'photo.noPosition': '无定位',
  'photo.hint': '拍摄门头照（可多张）；照片会压缩并加盖时间、位置、客户和客户经理水印，无网络时随走访一起等待发送。',
}
