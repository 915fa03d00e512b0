#!/usr/bin/env bash
# Adds a bilingual knowledge base to examples/demo with the tool itself: 8 articles in
# every category (one archived, one past its review date, one kept as a Markdown body
# file) and their use on two requests. Run it after examples/make-demo.sh.
# Usage: examples/make-demo-kb.sh [path/to/presales]   (default: cargo run --release)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then P=("$1"); else cargo build --release -q; P=(target/release/presales); fi
D=examples/demo
if ls "$D"/kb/*/KB-*.yaml >/dev/null 2>&1; then
  echo "$D/kb already holds articles; run examples/make-demo.sh first for a fresh store" >&2
  exit 1
fi
export PRESALES_ROOT="$D" PRESALES_NOW PRESALES_USER
at() { PRESALES_NOW="$1"; }
as() { PRESALES_USER="$1"; }
ps() { "${P[@]}" "$@"; }
kb() { ps kb "$@" 2>/dev/null; }

as zhang.wei; at 2026-11-03T10:00:00+08:00
a_dispatch=$(kb new --title '派工原则与轮流规则' --category faq --tag 派工 --tag 流程 --review-by 2027-05-01 \
  --body $'# 派工原则\n\n售前技术支持需求由主管派工，**派工原则是轮流**：按顺序分配给具备所需技能、且不在休假中的工程师，机会均等。\n\n- 不具备技能（如 network、database）的工程师跳过，下一位顺延；\n- 休假期间自动跳过；\n- 紧急（P1）需求可由主管指定人员。\n\n用 `presales assign REQ --auto --dry-run` 查看谁会被分配以及其他人被跳过的原因。')
kb publish "$a_dispatch"

as li.na; at 2026-11-04T09:30:00+08:00
mkdir -p "$D/docs"
cat > "$D/docs/sd-wan-manual.md" <<'EOF'
# SD-WAN 产品手册（摘要）

## 组网模式
支持 Hub-Spoke 与 Full-Mesh 两种组网。分行网点通过双链路（MPLS + 互联网）接入，
链路质量探测周期 1 秒，丢包超过 5% 时自动切换。

## 安全
每条隧道使用 IPsec（AES-256-GCM）加密；总部部署防火墙集群做统一出口。

## Installation checklist
1. Register the edge device serial numbers in the controller.
2. Push the branch template; verify the tunnel state is `up`.
3. Run the latency test from the branch to the data center.
EOF
a_sdwan=$(kb new --title 'SD-WAN 产品手册' --category product_manual --product SD-WAN --tag 网络 --tag 分行 \
  --body-file "$D/docs/sd-wan-manual.md" --review-by 2027-06-30)
kb publish "$a_sdwan"

as wang.fang; at 2026-11-05T14:00:00+08:00
a_dr=$(kb new --title '核心系统灾备演练技术方案' --category technical_doc --product DataHub --tag 灾备 --tag database \
  --review-by 2026-11-15 \
  --body $'# 灾备演练\n\n演练前一周冻结变更；切换顺序：应用 → 中间件 → 数据库。\n数据库采用异步复制，RPO ≤ 5 分钟，RTO ≤ 30 分钟。\n\nAfter the switch-over, run the reconciliation job and compare row counts per table.')
kb publish "$a_dr"

as li.na; at 2026-11-06T11:00:00+08:00
a_demo=$(kb new --title 'API Gateway demo script' --category demo_material --product 'API Gateway' --tag demo \
  --review-by 2027-02-28 \
  --body $'# API Gateway live demo (20 minutes)\n\n1. Import the OpenAPI spec of the retail sample app.\n2. Add rate limiting (100 req/s) and show the 429 responses.\n3. Turn on SSO with the customer\'s LDAP and log in.\n4. Show the latency dashboard.\n\n演示环境：demo.example.internal，账号在团队密码库。')
kb publish "$a_demo"

as zhao.lei; at 2026-11-07T16:00:00+08:00
a_case=$(kb new --title '华东银行网点智能排队案例' --category case_study --tag 银行 --tag 案例 \
  --body $'# 案例：网点智能排队\n\n客户：华东银行 32 家网点。痛点：高峰期排队超过 40 分钟。\n方案：取号终端 + 客流预测，上线三个月平均等待时间下降 35%。\n\nLessons learned: pilot in two branches first; train the lobby managers.')
kb publish "$a_case"

as liu.yang; at 2026-11-09T10:00:00+08:00
a_tpl=$(kb new --title '解决方案模板（园区网络）' --category solution_template --product SD-WAN --product 'Wi-Fi 7' --tag 园区 \
  --review-by 2027-03-31 \
  --body $'# 方案模板：园区网络\n\n1. 现状与需求\n2. 总体架构（有线、无线、安全、运维）\n3. 时间计划与里程碑\n4. 资源投入\n5. 报价估算\n6. 风险评估（可能性 × 影响，应对措施，负责人）')
kb publish "$a_tpl"

as zhang.wei; at 2026-11-10T09:00:00+08:00
a_train=$(kb new --title 'New engineer onboarding: presales tooling' --category training --tag onboarding \
  --body $'# Onboarding\n\nWeek 1: shadow a demo, read the FAQ on 派工原则, set up `presales` and run `presales list --open`.\nWeek 2: take a consultation request end to end.')

as wang.fang; at 2026-11-11T15:00:00+08:00
a_old=$(kb new --title 'DataHub 2.x Oracle CDC 配置（旧版）' --category technical_doc --product DataHub --tag oracle \
  --body $'# Oracle CDC (DataHub 2.x)\n\nUse LogMiner; supported up to Oracle 12c.')
kb publish "$a_old"
at 2026-11-16T12:00:00+08:00
kb archive "$a_old" --note '3.x 起改用 XStream，见新版文档'

# Usage is recorded on the requests that used the articles (资料使用记录).
req() { ps list --format csv 2>/dev/null | grep -F "$1" | cut -d, -f1 | head -1; }
r_park=$(req '智慧园区网络改造方案')
r_bank=$(req '核心系统灾备演练支持')
as liu.yang; at 2026-11-13T10:00:00+08:00
[ -n "$r_park" ] && kb use "$a_tpl" --request "$r_park"
[ -n "$r_park" ] && kb use "$a_sdwan" --request "$r_park"
as wang.fang; at 2026-11-12T09:00:00+08:00
[ -n "$r_bank" ] && kb use "$a_dr" --request "$r_bank"

echo "knowledge base added to $D: $(ls "$D"/kb/*/KB-*.yaml | wc -l) articles" >&2
