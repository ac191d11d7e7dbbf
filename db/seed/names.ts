import type { Random } from './random'

const SURNAMES = '王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常'
const GIVEN = '伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志红斌宇浩凯健俊帆帅旭宁龙林欣晨雪琳晓亮丹峰文博海鑫波琪瑞婷颖倩慧佳嘉'

export function personName(rng: Random): string {
  const given = rng.chance(0.6) ? rng.pick([...GIVEN]) + rng.pick([...GIVEN]) : rng.pick([...GIVEN])
  return rng.pick([...SURNAMES]) + given
}

export const TOWNSHIP_NAMES = [
  '城关镇', '东关街道', '红花集镇', '聂堆镇', '东夏亭镇', '西夏亭镇', '逍遥镇', '奉母镇', '址坊镇', '迟营乡', '皮营乡', '田口乡', '清河驿乡',
  '大王庄乡', '东王营乡', '艾岗乡', '黄桥乡', '李大庄乡', '黄土桥乡', '营子镇',
]

export const OUTLET_NAMES = ['城关', '红花', '聂堆', '逍遥', '奉母', '址坊', '迟营', '东夏亭']
