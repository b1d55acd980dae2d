"""The reference catalog's service directory: ~300 services of 15 departments, from one data table.

Guangdong's village kiosks list 500+ services of 30+ departments (kiosk-ux.md §1); this kiosk
builds a handful end to end (hand-written in catalog.json: forms, identity, receipts). Every
other service is listed so a citizen can *find* it, and says honestly where to go instead:
which department's window, an appointment, or another channel (粤省事, 交管12123, the
个人所得税 app, ...) -- `available: false` with a `where_to_go` block.

`python -m reference_platform.catalog_directory` rewrites reference_platform/catalog.json:
it keeps every hand-written service, sets their `category_ids` / `popularity` from
`BUILT_SERVICES`, replaces the directory services (ids from `SERVICES` below) and the
top-level `categories`. Ids are stable: never renumber, only add. zh_HK texts are the
zh_CN texts converted by OpenCC (s2hk: Hong Kong standard characters); English is written here.
Run it after editing the table; tests/test_catalog_directory.py fails if catalog.json is stale.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

CATALOG_PATH = Path(__file__).with_name("catalog.json")
CATALOG_VERSION = "2026.12.1"
REGION_CODE = "441200"   # Zhaoqing, like the hand-written services

# id, kind, icon purpose (screens/icons.py), zh_CN, English. Departments first, then life events.
CATEGORIES: list[tuple[str, str, str, str, str]] = [
    ("social_insurance", "department", "social_insurance", "社保", "Social insurance"),
    ("medical_insurance", "department", "medical_insurance", "医保", "Medical insurance"),
    ("household", "department", "household", "户籍与身份证", "Household registration and ID"),
    ("real_estate", "department", "real_estate", "不动产与住房", "Property and housing"),
    ("market", "department", "market", "市场监管", "Business registration"),
    ("civil_affairs", "department", "civil_affairs", "民政", "Civil affairs"),
    ("housing_fund", "department", "housing_fund", "公积金", "Housing fund"),
    ("hk_macau", "department", "hk_macau", "港澳台与出入境", "HK, Macau, Taiwan and travel"),
    ("tax", "department", "tax", "税务", "Tax"),
    ("employment", "department", "employment", "人社与就业", "Jobs and employment"),
    ("education", "department", "education", "教育", "Education"),
    ("health", "department", "health", "卫生健康", "Health"),
    ("vehicle", "department", "vehicle", "交通与车驾管", "Vehicles and driving"),
    ("disability", "department", "disability", "残疾人服务", "Disability services"),
    ("agriculture", "department", "agriculture", "农业农村", "Farming and villages"),
    ("general", "department", "general", "综合服务", "General services"),
    ("birth", "life_event", "birth", "生孩子", "Having a baby"),
    ("schooling", "life_event", "education", "上学", "Going to school"),
    ("work", "life_event", "employment", "就业", "Work"),
    ("marriage", "life_event", "marriage", "结婚离婚", "Marriage"),
    ("retirement", "life_event", "elderly", "退休养老", "Retirement and old age"),
    ("bereavement", "life_event", "bereavement", "身后事", "When someone dies"),
    ("home", "life_event", "real_estate", "买房租房", "Buying or renting a home"),
    ("start_business", "life_event", "business", "开办企业", "Starting a business"),
    ("travel", "life_event", "hk_macau", "出入境", "Travel and border crossing"),
]

# code -> zh_CN name, English name, department category, default channel.
DEPARTMENTS: dict[str, tuple[str, str, str, str]] = {
    "RSJ": ("人力资源和社会保障局", "Human Resources and Social Security Bureau", "social_insurance", "counter"),
    "RSJ-JY": ("人力资源和社会保障局（就业服务）", "Human Resources and Social Security Bureau (employment)",
               "employment", "counter"),
    "YBJ": ("医疗保障局", "Healthcare Security Administration", "medical_insurance", "counter"),
    "GAJ": ("公安局（户政）", "Public Security Bureau (household registration)", "household", "counter"),
    "ZRZYJ": ("自然资源局（不动产登记中心）", "Natural Resources Bureau (real-estate registry)", "real_estate",
              "appointment"),
    "ZJJ": ("住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "real_estate", "counter"),
    "SCJGJ": ("市场监督管理局", "Market Regulation Administration", "market", "business_app"),
    "MZJ": ("民政局", "Civil Affairs Bureau", "civil_affairs", "counter"),
    "TYJRJ": ("退役军人事务局", "Veterans Affairs Bureau", "civil_affairs", "counter"),
    "GJJ": ("住房公积金管理中心", "Housing Provident Fund Centre", "housing_fund", "online"),
    "CRJ": ("公安局出入境管理支队", "Exit-Entry Administration (Public Security)", "hk_macau", "exit_entry"),
    "SWJ": ("税务局", "Tax Bureau", "tax", "tax_app"),
    "JYJ": ("教育局", "Education Bureau", "education", "online"),
    "WJJ": ("卫生健康局", "Health Commission", "health", "counter"),
    "JJZD": ("公安局交通警察支队（车管所）", "Traffic Police (vehicle administration)", "vehicle", "traffic_app"),
    "JTJ": ("交通运输局", "Transport Bureau", "vehicle", "counter"),
    "CL": ("残疾人联合会", "Disabled Persons' Federation", "disability", "counter"),
    "NYJ": ("农业农村局", "Agriculture and Rural Affairs Bureau", "agriculture", "counter"),
    "SFJ": ("司法局", "Justice Bureau", "general", "appointment"),
    "ZSJ": ("政务服务数据管理局", "Government Services and Data Administration", "general", "phone"),
}

# channel -> (schema channel, zh_CN text, English text); {dept} is the department's name.
WHERE_TO_GO: dict[str, tuple[str, str, str]] = {
    "counter": ("counter",
                "本机暂不能办理。请到区政务服务中心{dept}窗口办理，带上身份证原件。可在本机“预约取号”。",
                "This kiosk cannot do this yet. Please go to the {dept} window at the district government "
                "service centre with your original ID card. You can take a queue ticket at this kiosk."),
    "appointment": ("appointment",
                    "本机暂不能办理。请先在“粤省事”小程序或拨打12345预约，再按预约时间到{dept}窗口办理。",
                    "This kiosk cannot do this yet. Book an appointment first (Yueshengshi mini-program or "
                    "call 12345), then go to the {dept} window at the booked time."),
    "online": ("online",
               "本机暂不能办理。可用手机在“粤省事”小程序或广东政务服务网（www.gdzwfw.gov.cn）办理；"
               "需要帮助请到{dept}窗口。",
               "This kiosk cannot do this yet. You can do it on your phone in the Yueshengshi mini-program "
               "or at www.gdzwfw.gov.cn; for help, go to the {dept} window."),
    "business_app": ("app",
                     "本机暂不能办理。可在“粤商通”App或广东政务服务网办理，也可到政务服务中心{dept}商事登记窗口。",
                     "This kiosk cannot do this yet. Use the Yueshangtong app or www.gdzwfw.gov.cn, or go to "
                     "the business registration window of the {dept} at the government service centre."),
    "tax_app": ("app",
                "本机暂不能办理。可在“个人所得税”App或广东省电子税务局办理，也可到{dept}办税服务厅。",
                "This kiosk cannot do this yet. Use the Individual Income Tax app or the Guangdong "
                "electronic tax bureau, or go to the tax service hall of the {dept}."),
    "traffic_app": ("app",
                    "本机暂不能办理。可在“交管12123”App办理，或到{dept}业务窗口。",
                    "This kiosk cannot do this yet. Use the Traffic Management 12123 app, or go to a window "
                    "of the {dept}."),
    "exit_entry": ("counter",
                   "本机暂不能办理。请到{dept}出入境接待大厅办理；往来港澳签注也可在出入境自助签注机办理。",
                   "This kiosk cannot do this yet. Go to the exit-entry reception hall ({dept}); Hong Kong "
                   "and Macau endorsements can also be done at an exit-entry self-service machine."),
    "phone": ("phone",
              "本机暂不能办理。请拨打12345政务服务便民热线，或到政务服务中心综合窗口。",
              "This kiosk cannot do this yet. Call the 12345 government service hotline, or go to the "
              "general window at the government service centre."),
}

# The services this kiosk builds end to end (hand-written in catalog.json): categories, popularity.
BUILT_SERVICES: dict[str, tuple[list[str], int]] = {
    "elderly-allowance": (["civil_affairs", "retirement"], 99),
    "pension-certification": (["social_insurance", "retirement"], 98),
    "queue-ticket": (["general"], 97),
    "progress-query": (["general"], 96),
    "residence-permit": (["household", "work", "home"], 95),
    "real-estate-progress": (["real_estate", "home"], 94),
    "hmt-social-insurance": (["social_insurance", "hk_macau", "travel", "work"], 93),
    "individual-business": (["market", "start_business"], 92),
    "open-barbershop": (["market", "start_business"], 91),
    "public-place-health-permit": (["health", "start_business"], 10),
    "print-certificate": (["civil_affairs", "social_insurance", "household"], 85),
    "real-estate-records-copy": (["real_estate", "home"], 84),
    "real-estate-registration": (["real_estate", "home"], 60),
}

# Search aliases: what people call a service when it is not in its official name.
KEYWORDS: dict[str, list[str]] = {
    **{sid: ["社保卡"] for sid in ("si-card-apply", "si-card-loss", "si-card-replace", "si-card-activate",
                                 "si-card-password")},
    **{sid: ["医疗保险"] for sid in ("mi-resident-register", "mi-resident-pay", "mi-record-print",
                                   "mi-balance-query", "mi-transfer", "mi-info-change")},
    "ca-min-living": ["低保"],
    "si-unemployment-claim": ["失业金"],
    "vh-license-renew": ["驾照", "driving license"],
    "vh-license-lost": ["驾照", "driving license"],
    "hl-birth-cert": ["birth certificate"],
    "ee-hk-macau-permit": ["港澳通行证"],
    "ee-hk-macau-endorse": ["港澳通行证", "港澳签注"],
    "ee-hk-return-permit": ["回乡证", "home return permit"],
    "ee-taiwan-compatriot": ["台胞证"],
    "hh-no-crime-proof": ["无犯罪证明", "police clearance"],
    "tx-iit-annual": ["个税", "退税"],
    "tx-refund": ["个税"],
    "ca-marriage-register": ["领证"],
    "hh-id-renew": ["身份证到期", "ID card renewal"],
    "hh-id-lost": ["身份证丢失"],
}

# One service a line: id | zh_CN name | English name | life events (comma-separated) | popularity
# [| channel override]. The line `@ CODE` switches the department for the lines after it.
SERVICES = """
@ RSJ
si-card-apply | 社会保障卡申领 | Social security card application | work | 90
si-card-loss | 社会保障卡挂失 | Report a lost social security card | | 85
si-card-replace | 社会保障卡补换 | Social security card replacement | | 80
si-card-activate | 社会保障卡启用 | Social security card activation | | 60
si-card-password | 社会保障卡密码重置 | Social security card PIN reset | | 70
si-record-print | 个人社保参保证明打印 | Print proof of social insurance contributions | work,home,schooling | 89
si-contribution-query | 社保缴费记录查询 | Social insurance contribution history | | 88 | online
si-flexible-register | 灵活就业人员参保登记 | Social insurance registration for flexible workers | work | 65
si-flexible-pay | 灵活就业人员社保缴费 | Social insurance payment for flexible workers | work | 60 | online
si-resident-pension-register | 城乡居民养老保险参保登记 | Residents' pension insurance registration | retirement | 70
si-resident-pension-pay | 城乡居民养老保险缴费 | Residents' pension insurance payment | retirement | 68 | online
si-pension-claim | 基本养老金申领 | Basic pension claim | retirement | 75
si-pension-transfer | 养老保险关系转移接续 | Transfer of pension insurance records | work,retirement | 55
si-pension-estimate | 养老金测算 | Pension estimate | retirement | 50 | online
si-survivor-benefit | 丧葬补助金和抚恤金申领 | Funeral grant and survivor's pension | bereavement | 45
si-pension-stop | 养老保险待遇停发（死亡） | Stop pension payments after a death | bereavement | 40
si-unemployment-claim | 失业保险金申领 | Unemployment benefit claim | work | 72
si-unemployment-stop | 失业保险金停领 | Stop unemployment benefit | work | 30
si-injury-determination | 工伤认定申请 | Work injury determination | work | 40
si-injury-benefit | 工伤保险待遇申领 | Work injury insurance benefits | work | 35
si-maternity-allowance | 生育津贴申领 | Maternity allowance claim | birth | 66
si-skills-subsidy | 技能提升补贴申领 | Skills upgrade subsidy | work | 42 | online
si-personal-info-change | 社保个人信息变更 | Change personal details in social insurance records | | 38
si-refund-overpaid | 社保多缴费用退还 | Refund of overpaid social insurance contributions | | 25
si-retiree-info | 退休人员基本信息查询 | Retiree information lookup | retirement | 40 | online
si-work-ability | 劳动能力鉴定申请 | Work capacity assessment | work | 26
@ RSJ-JY
emp-unemployment-register | 失业登记 | Unemployment registration | work | 60
emp-employment-register | 就业登记 | Employment registration | work | 55
emp-employment-card | 就业创业证申领 | Employment and entrepreneurship certificate | work | 50
emp-startup-loan | 创业担保贷款申请 | Guaranteed loan for starting a business | work,start_business | 48
emp-startup-subsidy | 一次性创业资助申领 | One-off business start-up grant | start_business | 45
emp-job-seeking | 求职登记 | Job seeker registration | work | 52
emp-training-register | 职业技能培训报名 | Vocational skills training sign-up | work | 40
emp-skill-certificate | 职业技能等级证书查询 | Vocational skill certificate lookup | work | 35 | online
emp-title-review | 专业技术职称评审申报 | Professional title application | work | 30 | online
emp-graduate-register | 高校毕业生就业报到 | Graduate employment check-in | work,schooling | 44
emp-graduate-archives | 毕业生档案查询 | Graduate personnel file lookup | schooling,work | 34 | online
emp-wage-complaint | 劳动保障监察投诉（欠薪） | Report unpaid wages | work | 50
emp-labour-arbitration | 劳动人事争议仲裁申请 | Labour dispute arbitration | work | 36
emp-flexible-subsidy | 灵活就业社保补贴申领 | Social insurance subsidy for flexible workers | work | 38
emp-hk-employment | 港澳台人员就业备案 | Employment record for HK, Macau and Taiwan residents | work,travel | 28
emp-foreign-work-permit | 外国人来华工作许可 | Work permit for foreigners | work,travel | 26 | online
emp-personnel-file | 人事档案托管 | Personnel file custody | work | 22
emp-retire-approval | 企业职工退休审批 | Retirement approval for employees | retirement | 58
emp-early-retire | 特殊工种提前退休审批 | Early retirement approval for special job types | retirement | 20
@ YBJ
mi-resident-register | 城乡居民医保参保登记 | Residents' medical insurance registration | birth,schooling | 78
mi-resident-pay | 城乡居民医保缴费 | Residents' medical insurance payment | | 85 | online
mi-e-voucher | 医保电子凭证激活 | Activate the medical insurance e-voucher | | 70 | online
mi-record-print | 医保参保凭证打印 | Print proof of medical insurance | | 74
mi-balance-query | 医保个人账户余额查询 | Medical insurance account balance | | 82 | online
mi-family-account | 医保个人账户家庭共济绑定 | Share your medical insurance account with family | | 55
mi-transfer | 医保关系转移接续 | Transfer of medical insurance records | work | 45
mi-remote-filing | 异地就医备案 | Register for medical treatment in another city | travel,retirement | 76 | online
mi-remote-filing-cancel | 异地就医备案取消 | Cancel registration for treatment in another city | | 30 | online
mi-chronic-disease | 门诊慢特病待遇认定 | Chronic and special outpatient disease approval | retirement | 60
mi-reimburse | 零星医疗费用报销 | Reimbursement of medical costs paid in full | | 58
mi-newborn-register | 新生儿参加医保登记 | Medical insurance for a newborn | birth | 62
mi-maternity-reimburse | 生育医疗费用报销 | Reimbursement of childbirth medical costs | birth | 50
mi-student-register | 在校学生医保参保 | Medical insurance for students | schooling | 48
mi-hk-register | 港澳台居民医保参保登记 | Medical insurance registration for HK, Macau and Taiwan residents | travel | 35
mi-critical-illness | 大病保险待遇申领 | Critical illness insurance benefits | | 32
mi-info-change | 医保参保信息变更 | Change medical insurance details | | 28
mi-stop | 医保参保终止（死亡） | End medical insurance after a death | bereavement | 25
mi-long-term-care | 长期护理保险待遇申请 | Long-term care insurance benefits | retirement | 36
mi-designated-change | 定点医疗机构变更 | Change your designated hospital | | 34 | online
mi-drug-list | 医保药品目录查询 | Medical insurance drug list | | 30 | online
@ GAJ
hh-birth-register | 新生儿入户 | Household registration of a newborn | birth | 80
hh-move-in-talent | 人才引进入户 | Household registration for recruited talent | work | 50
hh-move-in-graduate | 应届毕业生入户 | Household registration for graduates | schooling,work | 45
hh-move-in-marriage | 夫妻投靠入户 | Household registration to join a spouse | marriage | 42
hh-move-in-parents | 父母投靠子女入户 | Household registration to join your children | retirement | 38
hh-move-in-house | 购房入户 | Household registration after buying a home | home | 40
hh-move-within | 市内户口迁移 | Move household registration within the city | home | 44
hh-move-out | 户口迁出 | Move household registration out | | 36
hh-cancel-death | 死亡人员户口注销 | Cancel a deceased person's household registration | bereavement | 55
hh-name-change | 变更姓名 | Change of name | | 30
hh-info-correct | 户口信息更正 | Correct household registration details | | 32
hh-household-proof | 户籍证明开具 | Proof of household registration | | 70
hh-no-crime-proof | 无犯罪记录证明 | Certificate of no criminal record | work,travel | 75 | online
hh-id-first | 首次申领居民身份证 | First resident ID card | schooling | 60
hh-id-renew | 居民身份证换领 | Renew a resident ID card | | 88
hh-id-lost | 居民身份证补领 | Replace a lost resident ID card | | 84
hh-id-temporary | 临时居民身份证申领 | Temporary resident ID card | travel | 46
hh-id-progress | 身份证办理进度查询 | Resident ID card progress | | 50 | online
hh-residence-register | 居住登记 | Residence registration | work,home | 58
hh-residence-renew | 居住证签注 | Residence permit renewal stamp | | 62
hh-residence-lost | 居住证补领 | Replace a lost residence permit | | 40
hh-rental-register | 出租屋登记 | Register a rental property | home | 35
hh-dog-license | 养犬登记 | Dog registration | | 30
hh-seal-engraving | 印章刻制备案 | Company seal engraving record | start_business | 34
hh-hotel-license | 旅馆业特种行业许可 | Hotel business permit | start_business | 20
hh-security-guard | 保安员证申领 | Security guard licence | work | 22
hh-fireworks | 烟花爆竹燃放许可 | Fireworks display permit | | 15
hh-relationship-proof | 亲属关系证明开具 | Proof of family relationship | bereavement,home | 42
hh-hk-settle | 港澳居民回内地定居落户 | Settling in the mainland for HK and Macau residents | travel | 16
hh-birth-date-correct | 出生日期更正 | Correct a date of birth | | 18
@ ZRZYJ
re-certificate-query | 不动产权属证明查询打印 | Property ownership certificate (print) | home | 86
re-no-property-proof | 无房证明开具 | Proof of owning no property | home,marriage,schooling | 72
re-first-register | 不动产首次登记 | First registration of real estate | home | 40
re-transfer-sale | 二手房买卖转移登记 | Transfer registration for a resale home | home | 66
re-transfer-new | 商品房转移登记 | Transfer registration for a new home | home | 64
re-transfer-inherit | 继承不动产转移登记 | Transfer of inherited real estate | bereavement | 52
re-transfer-gift | 赠与不动产转移登记 | Transfer of real estate as a gift | | 28
re-mortgage-register | 抵押权登记 | Mortgage registration | home | 56
re-mortgage-cancel | 抵押权注销登记 | Mortgage release registration | home | 48
re-change-register | 不动产变更登记 | Change of real estate registration | marriage | 35
re-correct | 不动产更正登记 | Correction of real estate registration | | 22
re-certificate-replace | 不动产权证书补证换证 | Replace a property certificate | | 30
re-presale-filing | 预售商品房预告登记 | Advance registration of a pre-sold home | home | 44
re-seizure-query | 不动产查封信息查询 | Real estate seizure information | | 18
re-homestead | 农村宅基地使用权登记 | Rural homestead registration | home | 26
re-property-info | 房屋登记信息查询 | Home registration records lookup | home,schooling | 60
@ ZJJ
re-contract-filing | 房屋租赁合同备案 | Home rental contract filing | home,work | 54
re-public-rental | 公共租赁住房申请 | Public rental housing application | home | 50
re-talent-housing | 人才住房申请 | Talent housing application | home,work | 36
re-housing-subsidy | 住房租赁补贴申请 | Rental housing subsidy | home | 34
@ SCJGJ
mk-company-register | 企业设立登记 | Company registration | start_business | 70
mk-company-change | 企业变更登记 | Company change registration | | 50
mk-company-cancel | 企业注销登记 | Company deregistration | | 40
mk-simple-cancel | 企业简易注销 | Simplified company deregistration | | 32
mk-sole-trader-change | 个体工商户变更登记 | Sole-trader change registration | | 46
mk-sole-trader-cancel | 个体工商户注销登记 | Sole-trader deregistration | | 42
mk-license-print | 营业执照打印 | Print a business licence | start_business | 68 | counter
mk-e-license | 电子营业执照下载 | Download an electronic business licence | start_business | 45
mk-annual-report | 企业年度报告公示 | Company annual report | | 44
mk-food-business | 食品经营许可 | Food business licence | start_business | 52
mk-food-small-shop | 小餐饮登记 | Small eatery registration | start_business | 40
mk-food-stall | 食品摊贩登记 | Food stall registration | start_business | 30 | counter
mk-food-production | 食品生产许可 | Food production licence | start_business | 22
mk-drug-retail | 药品零售经营许可 | Retail pharmacy licence | start_business | 20
mk-medical-device | 第二类医疗器械经营备案 | Class II medical device business filing | start_business | 15
mk-trademark-pledge | 商标质押登记 | Trademark pledge registration | | 12
mk-name-reservation | 企业名称自主申报 | Company name declaration | start_business | 48
mk-consumer-complaint | 消费投诉举报 | Consumer complaint | | 55 | phone
mk-equipment-register | 特种设备使用登记 | Registration of lifts, boilers and other special equipment | | 18 | counter
mk-measuring-check | 计量器具强制检定 | Mandatory verification of measuring instruments | | 14 | counter
mk-farmers-coop | 农民专业合作社登记 | Farmers' cooperative registration | start_business | 16
mk-credit-repair | 经营异常名录移出 | Removal from the list of abnormal business operations | | 20
mk-foreign-invested | 外商投资企业设立登记 | Foreign-invested company registration | start_business,travel | 18
mk-hk-investor | 港澳投资者个体工商户登记 | Sole-trader registration for HK and Macau investors | start_business,travel | 20
mk-trademark-apply | 商标注册申请受理 | Trademark registration application | start_business | 24
@ MZJ
ca-marriage-register | 结婚登记 | Marriage registration | marriage | 76 | appointment
ca-divorce-register | 离婚登记 | Divorce registration | marriage | 40 | appointment
ca-marriage-cert-replace | 补领结婚证 | Replace a marriage certificate | marriage | 35
ca-marriage-record | 婚姻登记记录证明 | Marriage registration record | marriage,home | 50
ca-hk-marriage | 涉港澳台居民结婚登记 | Marriage registration with a HK, Macau or Taiwan resident | marriage,travel | 25 | appointment
ca-min-living | 最低生活保障申请 | Minimum living allowance (dibao) | | 62
ca-extreme-poverty | 特困人员救助供养申请 | Support for people in extreme poverty | | 40
ca-temporary-aid | 临时救助申请 | Emergency assistance | | 45
ca-low-income | 低收入家庭认定 | Low-income family status | | 38
ca-elderly-care-subsidy | 居家养老服务补贴申请 | Home care subsidy for older people | retirement | 55
ca-elderly-care-home | 养老机构入住评估申请 | Care home admission assessment | retirement | 35
ca-elderly-meal | 长者饭堂助餐登记 | Seniors' canteen meal registration | retirement | 42
ca-elderly-card | 老年人优待证申领 | Senior citizen concession card | retirement | 56
ca-centenarian | 百岁老人长寿保健金申领 | Longevity allowance for centenarians | retirement | 14
ca-orphan-allowance | 孤儿基本生活费申领 | Basic living allowance for orphans | | 20
ca-adoption | 收养登记 | Adoption registration | birth | 15 | appointment
ca-funeral-subsidy | 基本殡葬服务费用减免 | Waiver of basic funeral fees | bereavement | 48
ca-cremation | 遗体火化预约 | Cremation appointment | bereavement | 44 | phone
ca-cemetery | 公益性公墓申请 | Public cemetery plot application | bereavement | 30
ca-social-org | 社会团体登记 | Social organisation registration | | 14
ca-child-support | 困境儿童基本生活保障申请 | Basic living support for children in difficulty | birth | 18
@ TYJRJ
ca-veteran-card | 退役军人优待证申领 | Veterans' preferential treatment card | | 36
ca-veteran-subsidy | 退役军人抚恤补助申领 | Veterans' pensions and allowances | | 28
ca-veteran-jobs | 退役军人就业创业扶持 | Job and start-up support for veterans | work | 14
@ GJJ
hf-account-query | 住房公积金账户查询 | Housing provident fund account | home | 84
hf-withdraw-rent | 租房提取住房公积金 | Withdraw housing fund to pay rent | home | 80
hf-withdraw-buy | 购房提取住房公积金 | Withdraw housing fund to buy a home | home | 70
hf-withdraw-loan | 偿还贷款提取住房公积金 | Withdraw housing fund to repay a mortgage | home | 66
hf-withdraw-retire | 退休提取住房公积金 | Withdraw housing fund on retirement | retirement | 58
hf-withdraw-leave | 离职提取住房公积金 | Withdraw housing fund after leaving a job | work | 50
hf-withdraw-death | 死亡或宣告死亡提取住房公积金 | Housing fund withdrawal after a death | bereavement | 30 | counter
hf-withdraw-illness | 重大疾病提取住房公积金 | Housing fund withdrawal for a serious illness | | 24 | counter
hf-withdraw-hk | 港澳台居民销户提取住房公积金 | Housing fund account closure for HK, Macau and Taiwan residents | travel | 20 | counter
hf-loan-apply | 住房公积金贷款申请 | Housing fund mortgage application | home | 60 | counter
hf-loan-query | 住房公积金贷款进度查询 | Housing fund mortgage progress | home | 45
hf-loan-prepay | 住房公积金贷款提前还款 | Early repayment of a housing fund mortgage | home | 38
hf-deposit-proof | 住房公积金缴存证明打印 | Print proof of housing fund contributions | home | 64
hf-flexible-open | 灵活就业人员住房公积金开户 | Housing fund account for flexible workers | work | 28
hf-transfer | 住房公积金异地转移接续 | Transfer a housing fund account from another city | work | 40
hf-info-change | 住房公积金个人信息变更 | Change housing fund personal details | | 26
hf-employer-open | 单位住房公积金缴存登记 | Employer housing fund registration | start_business | 22
@ CRJ
ee-hk-macau-permit | 往来港澳通行证申领 | Exit-entry permit for Hong Kong and Macau | travel | 86
ee-hk-macau-endorse | 往来港澳通行证签注 | Hong Kong and Macau travel endorsement | travel | 88
ee-taiwan-permit | 往来台湾通行证申领 | Travel permit to Taiwan | travel | 40
ee-taiwan-endorse | 往来台湾通行证签注 | Taiwan travel endorsement | travel | 36
ee-passport-apply | 普通护照申领 | Passport application | travel | 78
ee-passport-renew | 护照换发 | Passport renewal | travel | 60
ee-passport-lost | 护照补发 | Replace a lost passport | travel | 40
ee-progress | 出入境证件办理进度查询 | Exit-entry document progress | travel | 52 | online
ee-record-query | 出入境记录查询 | Border crossing record | travel | 44
ee-hk-residence-permit | 港澳台居民居住证申领 | Residence permit for HK, Macau and Taiwan residents | travel | 50
ee-hk-return-permit | 港澳居民来往内地通行证换发 | Mainland travel permit for HK and Macau residents | travel | 46
ee-taiwan-compatriot | 台湾居民来往大陆通行证换发 | Mainland travel permit for Taiwan residents | travel | 20
ee-foreigner-residence | 外国人居留许可 | Residence permit for foreigners | travel,work | 32
ee-foreigner-visa-extend | 外国人签证延期 | Visa extension for foreigners | travel | 28
ee-foreigner-permanent | 外国人永久居留身份证申请 | Foreign permanent resident ID card | travel | 14
@ SWJ
tx-iit-annual | 个人所得税年度汇算 | Annual individual income tax reconciliation | work | 74
tx-iit-proof | 个人所得税纳税记录开具 | Individual income tax payment record | work,home | 72
tx-iit-deduction | 个人所得税专项附加扣除填报 | Special additional deductions for income tax | birth,schooling,retirement | 60
tx-invoice-apply | 发票申领 | Apply for invoices | start_business | 45
tx-invoice-issue | 代开增值税发票 | Invoice issued on your behalf | | 42
tx-tax-register | 税务登记信息确认 | Tax registration confirmation | start_business | 38
tx-house-deed | 房屋交易契税申报 | Deed tax on a home purchase | home | 55
tx-resident-cert | 中国税收居民身份证明 | Certificate of Chinese tax residence | travel | 15
tx-vehicle-tax | 车辆购置税申报 | Vehicle purchase tax | | 34
tx-social-pay | 社保费缴纳（税务） | Pay social insurance contributions (tax bureau) | | 50
tx-medical-pay | 城乡居民医保费缴纳（税务） | Pay residents' medical insurance (tax bureau) | | 46
tx-small-relief | 小规模纳税人减免申报 | Tax relief for small-scale taxpayers | start_business | 25
tx-payment-cert | 完税证明开具 | Tax payment certificate | | 40
tx-refund | 个人所得税退税申请 | Income tax refund | work | 48
tx-property-tax | 房产税申报 | Property tax return | home | 20
tx-gba-subsidy | 大湾区个人所得税优惠补贴申报 | Greater Bay Area income tax subsidy | work,travel | 24
tx-rent-invoice | 个人出租房屋代开发票 | Invoice for renting out a home | home | 30
tx-inherit-deed-exempt | 继承房产契税免征申报 | Deed tax exemption for inherited property | bereavement | 22
@ JYJ
ed-kindergarten-apply | 公办幼儿园入园报名 | Public kindergarten enrolment | schooling | 62
ed-primary-enrol | 小学一年级入学报名 | Primary school enrolment (grade 1) | schooling | 80
ed-junior-enrol | 初中一年级入学报名 | Junior secondary school enrolment | schooling | 68
ed-migrant-child | 随迁子女积分入学申请 | School places for children of non-local residents | schooling,work | 60
ed-transfer-school | 中小学转学申请 | School transfer application | schooling,home | 40 | counter
ed-student-aid | 家庭经济困难学生资助申请 | Financial aid for students from low-income families | schooling | 42
ed-education-cert | 学历证明书补办 | Replacement proof of education | work | 30 | counter
ed-teacher-cert | 教师资格认定 | Teacher qualification recognition | work | 28
ed-exam-register | 中考报名信息确认 | Senior high school entrance exam registration | schooling | 35
ed-private-school | 民办学校办学许可 | Licence to run a private school | start_business | 10 | counter
ed-training-centre | 校外培训机构办学许可 | Licence for an after-school training centre | start_business | 12 | counter
ed-hk-student | 港澳子女入学申请 | School places for children of HK and Macau residents | schooling,travel | 26
ed-student-loan | 生源地信用助学贷款 | Student loan from your home county | schooling | 32
ed-adult-exam | 成人高考报名确认 | Adult college entrance exam registration | schooling,work | 16
ed-degree-verify | 学历学位认证咨询 | Degree verification enquiry | work,travel | 18 | online
ed-school-district | 学区划分查询 | School catchment area lookup | schooling,home | 58 | online
@ WJJ
hl-birth-cert | 出生医学证明办理 | Birth medical certificate | birth | 70
hl-birth-cert-replace | 出生医学证明补发 | Replace a birth medical certificate | birth | 30
hl-birth-register | 生育登记 | Birth registration (family planning) | birth | 60 | online
hl-maternal-card | 母子健康手册建档 | Mother and child health record | birth | 52
hl-vaccination | 儿童预防接种证办理 | Child vaccination record | birth,schooling | 55
hl-vaccination-check | 入托入学预防接种查验 | Vaccination check for school entry | schooling | 40
hl-childcare-subsidy | 育儿补贴申领 | Childcare subsidy | birth | 64 | online
hl-death-cert | 居民死亡医学证明 | Medical certificate of death | bereavement | 46
hl-elderly-checkup | 65岁以上老年人免费体检预约 | Free health check for people aged 65 or over | retirement | 58 | appointment
hl-family-doctor | 家庭医生签约 | Sign up with a family doctor | retirement | 50 | online
hl-health-cert | 从业人员健康证办理 | Health certificate for food and service workers | work,start_business | 56 | appointment
hl-medical-license | 医疗机构执业登记 | Medical institution licence | start_business | 12
hl-doctor-register | 医师执业注册 | Doctor practice registration | work | 15 | online
hl-nurse-register | 护士执业注册 | Nurse practice registration | work | 14 | online
hl-premarital-check | 婚前医学检查预约 | Pre-marriage health check appointment | marriage | 38 | appointment
hl-only-child-reward | 独生子女父母奖励金申领 | Reward for parents of an only child | retirement | 40
hl-family-planning-aid | 计划生育特别扶助金申领 | Special family-planning assistance | retirement | 20
hl-home-bed | 家庭病床建床申请 | Home hospital bed application | retirement | 18 | counter
hl-blood-refund | 无偿献血者用血费用报销 | Blood cost refund for blood donors | | 20
@ JJZD
vh-license-renew | 机动车驾驶证期满换证 | Renew a driving licence | | 72
vh-license-lost | 机动车驾驶证补证 | Replace a lost driving licence | | 50
vh-license-elderly | 七十岁以上驾驶人身体条件证明提交 | Health certificate for drivers aged 70 or over | retirement | 40
vh-test-booking | 驾驶人考试预约 | Driving test appointment | | 45
vh-violation-query | 交通违法查询 | Traffic violation lookup | | 80
vh-violation-pay | 交通违法罚款缴纳 | Pay a traffic fine | | 76
vh-annual-inspection | 机动车检验标志申领 | Vehicle inspection sticker | | 66
vh-registration | 机动车注册登记 | New vehicle registration | | 50 | counter
vh-transfer | 机动车转移登记 | Vehicle ownership transfer | | 42 | counter
vh-plate-replace | 补领机动车号牌 | Replace a vehicle licence plate | | 25
vh-scrap | 机动车注销登记 | Vehicle deregistration (scrapping) | | 24 | counter
vh-e-bike | 电动自行车登记上牌 | Electric bicycle registration | | 60 | counter
vh-accident | 交通事故快处快赔 | Quick handling of minor traffic accidents | | 30
vh-driving-record | 驾驶人安全驾驶证明 | Safe driving record | work | 22
vh-license-cancel | 驾驶证注销 | Cancel a driving licence | bereavement | 16 | counter
vh-plate-select | 机动车号牌选号 | Choose a vehicle licence plate number | | 36
@ JTJ
vh-transport-license | 道路运输从业资格证申领 | Road transport work qualification | work | 20
vh-ride-hailing | 网约车驾驶员证申请 | Ride-hailing driver licence | work | 26
vh-elderly-bus-card | 老年人免费乘车卡办理 | Free bus card for older people | retirement | 62
vh-disabled-parking | 残疾人专用车停车证申领 | Parking permit for disabled drivers | | 12
@ CL
ds-card-apply | 残疾人证申领 | Disability certificate application | | 50
ds-card-renew | 残疾人证换领 | Renew a disability certificate | | 30
ds-living-subsidy | 困难残疾人生活补贴申领 | Living subsidy for disabled people on a low income | | 44
ds-care-subsidy | 重度残疾人护理补贴申领 | Care subsidy for people with severe disabilities | | 42
ds-assistive-device | 残疾人辅助器具适配申请 | Assistive device fitting | retirement | 32
ds-rehab-children | 残疾儿童康复救助申请 | Rehabilitation aid for disabled children | birth,schooling | 28
ds-employment | 残疾人就业援助登记 | Employment support for disabled people | work | 24
ds-education-aid | 残疾学生教育资助 | Education grant for disabled students | schooling | 20
ds-home-adapt | 残疾人家庭无障碍改造申请 | Accessible home adaptation | home | 22
ds-employer-levy | 残疾人就业保障金申报 | Disability employment levy return | start_business | 10
@ NYJ
ag-farmland-subsidy | 耕地地力保护补贴申领 | Farmland protection subsidy | | 30
ag-land-contract | 农村土地承包经营权变更 | Change of rural land contract rights | | 18
ag-homestead-build | 农村宅基地建房审批 | Approval to build a house on a rural homestead | home | 26
ag-fishing-license | 渔业捕捞许可 | Fishing licence | work | 10
ag-animal-quarantine | 动物检疫申报 | Animal quarantine declaration | | 12
ag-machinery-subsidy | 农业机械购置补贴申领 | Farm machinery purchase subsidy | | 16
ag-pesticide | 农药经营许可 | Pesticide dealer licence | start_business | 8
@ SFJ
gn-legal-aid | 法律援助申请 | Legal aid application | | 30 | counter
gn-notary | 公证办理预约 | Notarisation appointment | home,marriage,travel,bereavement | 34
gn-inheritance-notary | 继承权公证 | Inheritance notarisation | bereavement | 30
gn-mediation | 人民调解申请 | Community mediation | | 16 | counter
@ ZSJ
gn-hotline-12345 | 12345热线诉求登记 | Report a problem to the 12345 hotline | | 40
gn-e-certificates | 电子证照查询 | Look up your electronic certificates | | 45 | online
gn-rating-query | 政务服务好差评查询 | Look up your service ratings | | 10 | online
"""


def _rows() -> list[tuple[str, str, str, str, list[str], int, str | None]]:
    """(department code, id, zh_CN name, English name, life events, popularity, channel override)."""
    rows, department = [], None
    for number, line in enumerate(SERVICES.strip().splitlines(), 1):
        if line.startswith("@"):
            department = line[1:].strip()
            if department not in DEPARTMENTS:
                raise ValueError(f"SERVICES line {number}: unknown department {department!r}")
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (5, 6) or department is None:
            raise ValueError(f"SERVICES line {number}: expected 5 or 6 columns after a department: {line!r}")
        service_id, zh, en, events, popularity = parts[:5]
        channel = parts[5] if len(parts) == 6 else None
        if channel is not None and channel not in WHERE_TO_GO:
            raise ValueError(f"SERVICES line {number}: unknown channel {channel!r}")
        rows.append((department, service_id, zh, en, [e for e in events.split(",") if e], int(popularity), channel))
    return rows


# Where OpenCC's character-level choice is wrong for these texts (发 is 發 "issue", not 髮 "hair").
HK_CORRECTIONS = {"換髮": "換發", "補髮": "補發", "簽髮": "簽發", "核髮": "核發"}


class _Converter:
    def __init__(self):
        import opencc   # build-time only (the kiosk and the platform never convert text)
        self._opencc = opencc.OpenCC("s2hk")

    def convert(self, text: str) -> str:
        converted = self._opencc.convert(text)
        for wrong, right in HK_CORRECTIONS.items():
            converted = converted.replace(wrong, right)
        return converted


def _converter():
    return _Converter()


def _localized(zh: str, en: str, to_hk) -> dict[str, str]:
    return {"zh_CN": zh, "zh_HK": to_hk(zh), "en": en}


def directory_services(to_hk=None) -> list[dict]:
    """The not-built services, as catalog entries (available: false, with where_to_go)."""
    to_hk = to_hk or _converter().convert
    event_ids = {c[0] for c in CATEGORIES if c[1] == "life_event"}
    services = []
    for department, service_id, zh, en, events, popularity, channel in _rows():
        dept_zh, dept_en, dept_category, default_channel = DEPARTMENTS[department]
        unknown = [e for e in events if e not in event_ids]
        if unknown:
            raise ValueError(f"{service_id}: unknown life events {unknown}")
        schema_channel, where_zh, where_en = WHERE_TO_GO[channel or default_channel]
        services.append({
            "id": service_id,
            "category": dept_category,
            "category_ids": [dept_category, *events],
            "popularity": popularity,
            "names": _localized(zh, en, to_hk),
            "descriptions": _localized(f"{zh}：由{dept_zh}受理。", f"{en}: handled by the {dept_en}.", to_hk),
            "department": {"code": department.split("-")[0], "names": _localized(dept_zh, dept_en, to_hk)},
            "region_code": REGION_CODE,
            "identity": "card_and_face",
            "card_types": [],
            "eligibility": {"min_age": None},
            "materials": [],
            "fields": [],
            "receipt": {"print": True, "kind": "acceptance"},
            "available": False,
            **({"keywords": KEYWORDS[service_id]} if service_id in KEYWORDS else {}),
            "where_to_go": {"channel": schema_channel,
                            "texts": _localized(where_zh.format(dept=dept_zh), where_en.format(dept=dept_en),
                                                to_hk)},
        })
    return services


def categories(to_hk=None) -> list[dict]:
    to_hk = to_hk or _converter().convert
    return [{"id": cid, "kind": kind, "icon": icon, "names": _localized(zh, en, to_hk)}
            for cid, kind, icon, zh, en in CATEGORIES]


def build_catalog(catalog: dict, to_hk=None) -> dict:
    """`catalog` with the directory applied (hand-written services kept, in their order, first)."""
    to_hk = to_hk or _converter().convert
    generated = directory_services(to_hk)
    generated_ids = {s["id"] for s in generated}
    kept = [s for s in catalog["services"] if s["id"] not in generated_ids]
    for service in kept:
        if service["id"] in BUILT_SERVICES:
            service["category_ids"], service["popularity"] = BUILT_SERVICES[service["id"]]
        if not service.get("available", True) and "where_to_go" not in service:
            dept_zh = service["department"]["names"]["zh_CN"]
            dept_en = service["department"]["names"]["en"]
            schema_channel, where_zh, where_en = WHERE_TO_GO["appointment"]
            service["where_to_go"] = {"channel": schema_channel, "texts": _localized(
                where_zh.format(dept=dept_zh), where_en.format(dept=dept_en), to_hk)}
    unknown = set(KEYWORDS) - generated_ids
    if unknown:
        raise ValueError(f"KEYWORDS for unknown services: {sorted(unknown)}")
    ids = [s["id"] for s in kept + generated]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate service ids: {sorted(duplicates)}")
    result = {key: value for key, value in catalog.items() if key not in ("services", "categories")}
    result["version"] = CATALOG_VERSION
    result["categories"] = categories(to_hk)
    result["services"] = kept + generated
    return result


def render(catalog: dict) -> str:
    return json.dumps(catalog, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    current = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    text = render(build_catalog(current))
    if "--check" in argv:
        if text != CATALOG_PATH.read_text(encoding="utf-8"):
            print("reference_platform/catalog.json is stale: run python -m reference_platform.catalog_directory")
            return 1
        return 0
    CATALOG_PATH.write_text(text, encoding="utf-8")
    catalog = json.loads(text)
    print(f"wrote {CATALOG_PATH}: {len(catalog['services'])} services, {len(catalog['categories'])} categories, "
          f"{len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
