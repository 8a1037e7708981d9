"""Realistic Chinese names, places and activities for the generated district."""

# The most common surnames, roughly by frequency (a few repeated so that 王/李/张/刘/陈 dominate, as they do).
SURNAMES = ("王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严")
GIVEN = ("秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉英", "兰英", "建国", "建华", "国强", "志强",
         "志明", "海燕", "丽华", "淑珍", "德明", "玉梅", "文杰", "晓燕", "长江", "红梅", "子涵", "浩然", "雅琴", "振华",
         "美玲", "立新", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀云", "霞", "平", "刚", "桂芳", "欣怡", "梓涵", "一诺", "宇轩", "子轩", "俊杰", "思远", "佳怡", "雨桐",
         "博文", "晨曦", "嘉怡", "天佑", "春梅", "冬梅", "国庆", "建军", "卫东", "爱华", "小燕", "红霞", "金凤")

#: Twenty communities of one sub-district: (slug, name, street).
COMMUNITIES = (
    ("xingfuli", "幸福里社区", "幸福路"), ("heping", "和平社区", "和平街"), ("chaoyang", "朝阳社区", "朝阳路"),
    ("jinxiu", "锦绣社区", "锦绣大道"), ("hongqi", "红旗社区", "红旗路"), ("xinhua", "新华社区", "新华街"),
    ("dongfeng", "东风社区", "东风路"), ("qingnian", "青年社区", "青年路"), ("minzhu", "民主社区", "民主街"),
    ("guangming", "光明社区", "光明路"), ("yangguang", "阳光社区", "阳光大道"), ("huayuan", "花园社区", "花园路"),
    ("shuguang", "曙光社区", "曙光街"), ("xiangyang", "向阳社区", "向阳路"), ("taoyuan", "桃园社区", "桃园街"),
    ("liyuan", "梨园社区", "梨园路"), ("qinghe", "清河社区", "清河路"), ("binhe", "滨河社区", "滨河大道"),
    ("wanshou", "万寿社区", "万寿路"), ("changan", "长安社区", "长安街"),
)

#: (name, kind, risky, typical shift start times "HH:MM", length in minutes)
POSTS = (
    ("北门岗亭", "gate", False, ("07:00", "09:00", "17:00"), 120),
    ("南门岗亭", "gate", False, ("07:00", "17:00"), 120),
    ("东门值守点", "gate", False, ("08:00", "14:00"), 180),
    ("路口文明劝导岗", "intersection", True, ("07:15", "17:00"), 90),
    ("学校路口护学岗", "intersection", True, ("07:10", "16:20"), 60),
    ("夜间巡逻线", "patrol", True, ("19:00", "20:30"), 90),
    ("消防通道巡查", "patrol", False, ("09:30", "15:00"), 60),
    ("党员示范岗", "party_post", False, ("09:00", "14:30"), 120),
    ("垃圾分类督导点", "other", False, ("07:00", "18:30"), 60),
    ("便民服务站", "other", False, ("09:00", "14:00"), 180),
)

#: (category, activity name, place, content)
CLAIMS = (
    ("ledger.elder_care", "陪伴独居老人聊天", "{building}", "上门陪老人聊天，帮忙整理房间。"),
    ("ledger.elder_care", "帮助老人买菜送菜", "社区菜市场", "帮行动不便的老人采购并送菜上门。"),
    ("ledger.elder_care", "陪同老人就医", "区人民医院", "陪同挂号、取药，送回家中。"),
    ("ledger.mutual_help", "帮邻居搬运家具", "{building}", "帮邻居搬运家具，清理楼道。"),
    ("ledger.mutual_help", "辅导孩子作业", "社区活动室", "四点半课堂，辅导小学生作业。"),
    ("ledger.community_service", "小区环境清洁", "中心花园", "清理绿地垃圾和小广告。"),
    ("ledger.community_service", "垃圾分类督导", "垃圾分类点", "在投放点指导居民分类投放。"),
    ("ledger.culture_education", "反诈骗宣传", "社区广场", "发放反诈宣传资料，讲解常见骗局。"),
    ("ledger.culture_education", "健康知识讲座", "社区活动室", "协助组织健康讲座，维持秩序。"),
)

REPAIRS = (
    ("water", "厨房水龙头一直滴水，关不紧。"), ("electricity", "卫生间灯不亮了，换了灯泡也不行。"),
    ("drains", "洗手池下水很慢，有异味。"), ("locks", "防盗门锁芯不好用，钥匙很难转。"),
    ("appliances", "电饭煲不加热了，想请人看看。"), ("heating", "暖气片不热，可能需要放气。"),
)

DISHES = (("红烧肉套餐", 1500), ("清蒸鱼套餐", 1600), ("番茄炒蛋套餐", 1200), ("土豆炖牛肉套餐", 1800),
          ("香菇青菜套餐", 1100), ("冬瓜排骨汤套餐", 1500), ("肉末豆腐套餐", 1200), ("西兰花鸡丁套餐", 1400))

TEAMS = (("平安巡逻队", "patrol"), ("便民维修队", "repair"), ("助老服务队", "elder_care"),
         ("文明劝导队", "civility"), ("环境整治队", "environment"))


def person_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)
