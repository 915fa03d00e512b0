#!/usr/bin/env bash
# Issue 7's benchmark: presales at scale, side by side with the cost of looking at the files.
#
#   bash benches/scale.sh                 # 100,000 requests, 20,000 articles (~10 min on 2 cores)
#   bash benches/scale.sh --quick         # 10,000 requests, 2,000 articles (~2 min)
#   bash benches/scale.sh --requests N --articles M [--seed S] [--runs R] [--no-hyperfine]
#   bash benches/scale.sh --curve [--curve-sizes "10000 100000 1000000"]
#                                         # time per 1,000 records from 10k to 1M requests
#
# Builds the release binary and the generator, generates the stores under target/scale/
# ($CARGO_TARGET_DIR/scale/ when that is set; the binaries are looked for there too)
# (reused while the parameters and the generator's sources are unchanged), and prints ONE
# Markdown table on stdout: each command's median, the floor or peer it is compared with, the
# ratio, the target and whether it is met; then the peak memory of `presales list`.
# Progress goes to stderr, the tools' own output to target/scale/last-run.log.
#
# Uses hyperfine, ripgrep, taskwarrior and Backlog.md when they are installed (it installs
# nothing): apt-get install hyperfine ripgrep taskwarrior; npm install -g backlog.md
# Without hyperfine each command runs in a loop timed with bash's $EPOCHREALTIME and the
# median is taken; without rg or task their rows say so. Peak memory needs GNU time
# (/usr/bin/time, `apt-get install time`).
#
# Method: "warm" = one untimed run first (it also fills the page cache and .presales/); then
# R timed runs (default: as many as fit in ~3 s, at least 3, at most 10). "cold" = .presales/
# deleted before every run (the page cache stays warm, as for the floors). The clock is fixed
# with PRESALES_NOW, so every run does the same work. Each ratio divides by its floor (or
# the whole check) measured again just before the command; the floor rows at the top are
# the first measurement.
#
# --curve: for each size (requests; articles a fifth of it) a store is generated (not
# committed: no row needs git), and `list`, `check`, `report weekly` and `kb search` are
# timed warm; the table gives the time per 1,000 requests (per 1,000 articles for search),
# raw and net of the command's fixed cost (its time on an empty store), and, per command,
# the largest over the smallest and the growth (the most a record costs more in a larger
# store than in a smaller one): flat means a net growth of at most 1.5. Peak memory of `list`
# is printed per size (targets: ≤ 250 MB at 100k, ≤ 1.5 GB at 1M). The 1M store needs about
# 10 GB of disk and 15 minutes to generate; its stamp keeps it for the next run.
set -euo pipefail

requests=100000
articles=20000
seed=7
runs=""
use_hyperfine=1
query="派工原则"
curve=""
curve_sizes="10000 100000 1000000"
# A question as people type it (question word and all), and its most specific word for rg.
nl_query="紧急需求怎么指派给值班工程师" nl_word="值班工程师"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) requests=10000 articles=2000 ;;
        --requests) requests="$2"; shift ;;
        --articles) articles="$2"; shift ;;
        --seed) seed="$2"; shift ;;
        --runs) runs="$2"; shift ;;
        --no-hyperfine) use_hyperfine="" ;;
        --curve) curve=1 ;;
        --curve-sizes) curve=1 curve_sizes="$2"; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "scale.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
# Cargo's target folder: CARGO_TARGET_DIR when set (binaries and stores go there), else target/.
target="${CARGO_TARGET_DIR:-$repo/target}"
scale="$target/scale"
mkdir -p "$scale"
log="$scale/last-run.log"
: > "$log"
say() { printf '[scale %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1; }
[[ -n $use_hyperfine ]] && ! have hyperfine && use_hyperfine=""
for tool in hyperfine rg task; do
    have "$tool" || say "note: $tool not found; to compare with it: apt-get install hyperfine ripgrep taskwarrior"
done
gnu_time=""
[[ -x /usr/bin/time ]] && /usr/bin/time -v true 2>/dev/null && gnu_time=/usr/bin/time

# Other work on the machine skews every row: say how busy it was (1-minute load average).
load_start="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"

# --- build ------------------------------------------------------------------------------
say "building release binary and generator (cargo build --release)"
cargo build --release --quiet --bin presales --example gen_store >&2
bin="$target/release/presales"
gen="$target/release/examples/gen_store"

export PRESALES_NOW="2026-11-27T10:00:00+08:00" PRESALES_USER=lead NO_COLOR=1
unset PRESALES_ROOT
git_id=(-c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false)

# --- data -------------------------------------------------------------------------------
# Generates a store (a git repo with one commit) into $1/store unless the stamp matches.
generate() {
    local dir="$1" n="$2" m="$3" commit="${4:-commit}"
    # What decides the bytes of the store: the parameters, the generator and record format.
    local stamp
    stamp="requests=$n articles=$m seed=$seed sources=$(cat examples/gen_store.rs src/model/*.rs \
        src/store/yaml.rs src/schema.rs src/config.rs | sha256sum | cut -c1-16)"
    if [[ -f "$dir/stamp" && "$(cat "$dir/stamp")" == "$stamp" ]]; then
        say "reusing $dir ($n requests, $m articles)"
        # Back to the generated commit: earlier runs commented on requests and edited an article.
        if [[ -d "$dir/store/.git" ]]; then
            git -C "$dir/store" reset -q --hard HEAD
            git -C "$dir/store" clean -q -fd
        fi
        return
    fi
    say "generating $n requests, $m articles into $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    "$gen" --requests "$n" --articles "$m" --seed "$seed" --out "$dir/store" 2>>"$log"
    if [[ $commit != commit ]]; then
        echo "$stamp" > "$dir/stamp"
        return
    fi
    say "committing the generated store (git add of $(find "$dir/store" -type f | wc -l) files)"
    git -C "$dir/store" init -q
    git -C "$dir/store" add -A
    GIT_AUTHOR_DATE="$PRESALES_NOW" GIT_COMMITTER_DATE="$PRESALES_NOW" \
        git -C "$dir/store" "${git_id[@]}" commit -q -m "generated store"
    echo "$stamp" > "$dir/stamp"
}

# 10,000 pending taskwarrior tasks in a private TASKDATA, imported from generated JSON.
taskdata() {
    local dir="$1"
    if [[ -f "$dir/stamp" ]]; then return; fi
    rm -rf "$dir"
    mkdir -p "$dir/data"
    printf 'data.location=%s\nconfirmation=off\nnews.version=2.6.0\nverbose=nothing\n' \
        "$dir/data" > "$dir/taskrc"
    awk 'BEGIN {
        n = split("智慧园区网络改造,分行 SD-WAN 组网,数据中心灾备,统一身份认证,私有云迁移,运维监控平台", zh, ",")
        split("network refresh,analytics platform,DR design,SSO rollout,cloud migration,data lake", en, ",")
        split("H,M,L", pr, ",")
        for (i = 0; i < 10000; i++)
            printf "{\"uuid\":\"%08x-0000-4000-8000-%012x\",\"status\":\"pending\",\"entry\":\"%04d%02d%02dT020000Z\",\"description\":\"%s / %s #%d\",\"project\":\"presales.eng%02d\",\"priority\":\"%s\",\"due\":\"2027%02d%02dT000000Z\",\"tags\":[\"%s\"]}\n",
                i, i, 2017 + int(i / 1000), 1 + i % 12, 1 + i % 28, zh[1 + i % n], en[1 + i % n], i,
                i % 50, pr[1 + i % 3], 1 + i % 12, 1 + i % 28, (i % 2 ? "poc" : "rfp")
    }' > "$dir/tasks.json"
    TASKRC="$dir/taskrc" task import "$dir/tasks.json" >>"$log" 2>&1
    touch "$dir/stamp"
}

# 10,000 Backlog.md tasks (markdown files with front matter, as `backlog task create` writes
# them) in a private project, when `backlog` is installed (npm install -g backlog.md).
backlogdata() {
    local dir="$1"
    if [[ -f "$dir/stamp" ]]; then return; fi
    rm -rf "$dir"
    mkdir -p "$dir/backlog/tasks" "$dir/backlog/drafts" "$dir/backlog/docs" "$dir/backlog/decisions"
    printf 'project_name: "bench"\ndefault_status: "To Do"\nstatuses: ["To Do", "In Progress", "Done"]\nlabels: []\nmilestones: []\ndate_format: yyyy-mm-dd\n' \
        > "$dir/backlog/config.yml"
    awk -v dir="$dir/backlog/tasks" 'BEGIN {
        n = split("智慧园区网络改造,分行 SD-WAN 组网,数据中心灾备,统一身份认证,私有云迁移,运维监控平台", zh, ",")
        for (i = 1; i <= 10000; i++) {
            f = sprintf("%s/task-%d - request-%d.md", dir, i, i)
            printf "---\nid: task-%d\ntitle: \"%s #%d\"\nstatus: To Do\nassignee: [\"@eng%02d\"]\ncreated_date: \"%04d-%02d-%02d\"\nlabels: [\"%s\"]\ndependencies: []\n---\n\n## Description\n\n%s\n", \
                i, zh[1 + i % n], i, i % 50, 2017 + int(i / 1000), 1 + i % 12, 1 + i % 28, (i % 2 ? "poc" : "rfp"), zh[1 + i % n] > f
            close(f)
        }
    }'
    git -C "$dir" init -q
    touch "$dir/stamp"
}

# --- measuring --------------------------------------------------------------------------
declare -A med note
bin_q="$(printf %q "$bin")"

# measure KEY DIR PREPARE CMD: one untimed run, then the median of R timed runs, in DIR.
# PREPARE runs before each timed run; both are plain words (no shell syntax) so that
# hyperfine --shell=none and the fallback loop run exactly the same thing.
measure() {
    local key="$1" dir="$2" prepare="$3" cmd="$4"
    say "measuring $key: $cmd"
    local t0 t1 rc=0 n
    pushd "$dir" >/dev/null
    [[ -n "$prepare" ]] && eval "$prepare" >>"$log" 2>&1
    eval "$cmd" >/dev/null 2>>"$log" || rc=$?
    if [[ $rc -ne 0 ]]; then
        note[$key]="exit $rc"
        say "  $key exited with $rc (see $log)"
    fi
    if [[ -n $use_hyperfine ]]; then
        # hyperfine sizes the run count from its first timed run (3 s budget).
        local args=(-N -i --style none --export-json "$scale/$key.json")
        if [[ -n "$runs" ]]; then args+=(--runs "$runs"); else args+=(--min-runs 3 --max-runs 10); fi
        [[ -n "$prepare" ]] && args+=(--prepare "$prepare")
        hyperfine "${args[@]}" "$cmd" >>"$log" 2>&1
        med[$key]=$(sed -n 's/.*"median": *\([0-9.e+-]*\).*/\1/p' "$scale/$key.json" | head -n 1)
        n=$(awk '/"times"/ { f = 1; next } f && /]/ { exit } f { c++ } END { print c + 0 }' "$scale/$key.json")
    else
        local times=() i
        n="${runs:-3}"
        for ((i = 0; i < n; i++)); do
            [[ -n "$prepare" ]] && eval "$prepare" >>"$log" 2>&1
            t0=$EPOCHREALTIME
            eval "$cmd" >/dev/null 2>>"$log" || true
            t1=$EPOCHREALTIME
            times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
            # Like hyperfine: as many runs as fit in ~3 s by the first one, 3 to 10.
            if [[ $i -eq 0 && -z "$runs" ]]; then
                n=$(awk -v w="${times[0]}" 'BEGIN { n = int(3 / (w + 1e-6)); if (n < 3) n = 3; if (n > 10) n = 10; print n }')
            fi
        done
        med[$key]=$(printf '%s\n' "${times[@]}" | sort -g |
            awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
    fi
    popd >/dev/null
    say "  $key: median ${med[$key]} s over $n runs"
}

# Peak RSS in MB of CMD in DIR, after PREPARE.
peak_mb() {
    local dir="$1" prepare="$2" cmd="$3" out
    pushd "$dir" >/dev/null
    [[ -n "$prepare" ]] && eval "$prepare" >>"$log" 2>&1
    out=$(eval "$gnu_time -v $cmd" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p')
    popd >/dev/null
    awk -v k="$out" 'BEGIN { printf "%.0f", k / 1024 }'
}

# --- the curve ---------------------------------------------------------------------------
if [[ -n $curve ]]; then
    declare -a sizes=($curve_sizes)
    # The fixed cost of each command (process start, presales.toml, opening the index,
    # writing the report), measured on a store with no requests and no articles: the
    # curve's "net" rows subtract it, so that they show what each record costs.
    dir="$scale/curve-r0-a0-s$seed"
    generate "$dir" 0 0 no-commit
    measure "list-0" "$dir/store" "" "$bin_q list"
    measure "check-0" "$dir/store" "" "$bin_q check"
    measure "weekly-0" "$dir/store" "" "$bin_q report weekly"
    measure "search-0" "$dir/store" "" "$bin_q kb search $query"
    for n in "${sizes[@]}"; do
        m=$((n / 5))
        dir="$scale/curve-r$n-a$m-s$seed"
        generate "$dir" "$n" "$m" no-commit
        say "size $n: warming up (first run fills .presales/)"
        (cd "$dir/store" && "$bin" list >/dev/null 2>>"$log" && "$bin" kb search "$query" >/dev/null 2>>"$log") || true
        measure "list-$n" "$dir/store" "" "$bin_q list"
        measure "check-$n" "$dir/store" "" "$bin_q check"
        measure "weekly-$n" "$dir/store" "" "$bin_q report weekly"
        measure "search-$n" "$dir/store" "" "$bin_q kb search $query"
        if [[ -n $gnu_time ]]; then
            med[mem-$n]=$(peak_mb "$dir/store" "" "$bin_q list")
        fi
    done
    commit="$(git -C "$repo" rev-parse --short HEAD)"
    git -C "$repo" diff --quiet HEAD -- src Cargo.toml Cargo.lock || commit="$commit+uncommitted src changes"
    echo
    echo "presales scale curve, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
    echo "machine: $(nproc) cores, $(uname -sr); load average $load_start at start, $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?') at end"
    echo "ms per 1,000 requests (kb search: per 1,000 articles); median of warm runs"
    echo
    header="| command |"
    rule="|---|"
    for n in "${sizes[@]}"; do header="$header $n |"; rule="$rule---:|"; done
    echo "$header largest ÷ smallest | growth | flat (≤ 1.5) |"
    echo "$rule---:|---:|---|"
    # Raw: the whole time per 1,000 records. Net: the same after subtracting the command's
    # time on the empty store; flatness is judged on the net figures. Growth: how much more
    # a record costs in a larger store than in a smaller one (the largest such ratio over
    # every pair of sizes); flat means at most 1.5. A cost per record that falls as the
    # store grows (the search: its index answers without reading every article) has a
    # growth below 1; the largest ÷ smallest column shows that spread as well.
    for kind in raw net; do
        for cmd in list check weekly search; do
            line="| \`$cmd\`, $kind |"
            per=()
            fixed=0
            [[ $kind == net ]] && fixed="${med[$cmd-0]:-}"
            for n in "${sizes[@]}"; do
                count=$n
                [[ $cmd == search ]] && count=$((n / 5))
                v="${med[$cmd-$n]:-}"
                if [[ -n $v && -n $fixed ]]; then
                    p=$(awk -v t="$v" -v f="$fixed" -v c="$count" 'BEGIN { printf "%.3f", (t - f) * 1000 * 1000 / c }')
                    per+=("$p")
                    line="$line $p |"
                else
                    line="$line n/a |"
                fi
            done
            spread=$(printf '%s\n' "${per[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (lo > 0) printf "%.2f", hi / lo; else print "n/a" }')
            # In size order: the largest ratio of a later figure to an earlier one.
            growth=$(printf '%s\n' "${per[@]}" | awk '{ v[NR] = $1 } END { g = 0; ok = NR > 1; for (j = 2; j <= NR; j++) for (i = 1; i < j; i++) { if (v[i] <= 0) ok = 0; else if (v[j] / v[i] > g) g = v[j] / v[i] } if (ok) printf "%.2f", g; else print "n/a" }')
            flat=$(awk -v g="$growth" -v k="$kind" 'BEGIN { if (k == "raw") print "(see net)"; else if (g == "n/a" || g > 1.5) print "**no**"; else if (g < 1) print "yes (falls with size)"; else print "yes" }')
            echo "$line $spread | $growth | $flat |"
        done
    done
    line="| fixed cost on an empty store, ms |"
    for cmd in list check weekly search; do
        line="$line $cmd $(awk -v t="${med[$cmd-0]:-0}" 'BEGIN { printf "%.1f", t * 1000 }');"
    done
    echo "$line |"
    line="| peak memory of \`list\`, MB |"
    for n in "${sizes[@]}"; do line="$line ${med[mem-$n]:-n/a} |"; done
    echo "$line | | ≤ 250 at 100k, ≤ 1500 at 1M |"
    say "done; tool output in $log"
    exit 0
fi

big="$scale/r$requests-a$articles-s$seed"
small="$scale/r10000-a2000-s$seed"
generate "$big" "$requests" "$articles"
[[ "$big" != "$small" ]] && generate "$small" 10000 2000
store="$big/store"
have task && taskdata "$scale/taskwarrior"
have backlog && backlogdata "$scale/backlog"

# The article the "edit one" row changes: one that matches the query, body inline.
edit_target="$(grep -rl --include='*.yaml' "$query" "$store/kb" | xargs -r grep -l '^body: |' | sort | sed -n 1p || true)"
cat > "$big/edit-one.sh" <<EOF
#!/usr/bin/env bash
# Edits one article's body (a new revision mark each time), as a user would between searches.
n=\$(( \$(cat "$big/edit-count" 2>/dev/null || echo 0) + 1 ))
echo "\$n" > "$big/edit-count"
sed -i "s|^  ## 背景 / Background.*\$|  ## 背景 / Background (修订 \$n)|" "$edit_target"
EOF
show_id="$(find "$store/requests" -name '*.yaml' | sort | tail -n 1 | xargs basename -s .yaml)"

# Floors and peers.
# Each floor is measured here (its own row of the table) and again right before every
# command compared with it (`beside`): a ratio then divides two medians taken seconds apart.
# A floor measured once, minutes away from the command, moved the ratios by up to a third
# between runs (the load and the page cache change during a run).
declare -A floor_cmd floor_dir
floor() { # KEY DIR CMD
    floor_cmd[$1]="$3" floor_dir[$1]="$2"
    measure "$1" "$2" "" "$3"
}
beside() { # FLOOR KEY: FLOOR measured again, just before KEY; the row of KEY divides by it
    if [[ -n "${floor_cmd[$1]:-}" ]]; then
        measure "$1@$2" "${floor_dir[$1]}" "" "${floor_cmd[$1]}"
    fi
}
floor stat "$store" "find requests -name '*.yaml' -printf '%s %T@\n'"
floor read "$store" "find requests -name '*.yaml' -exec cat {} +"
floor kbstat "$store" "find kb -name '*.yaml' -printf '%s %T@\n'"
if have rg; then
    floor rg "$store" "rg -c $query kb/"
    floor rg_nl "$store" "rg -c $nl_word kb/"
fi
floor version "$store" "$bin_q --version"

# Reads of the whole store, warm.
beside stat list_json
measure list_json "$store" "" "$bin_q list --format json"
beside stat list_stage
measure list_stage "$store" "" "$bin_q list --stage review"
beside stat weekly
measure weekly "$store" "" "$bin_q report weekly"
beside stat gaps
measure gaps "$store" "" "$bin_q report gaps"
beside stat capacity
measure capacity "$store" "" "$bin_q report capacity"
beside stat winloss
measure winloss "$store" "" "$bin_q report winloss"
beside stat dashboard
measure dashboard "$store" "" "$bin_q dashboard --out $big/dashboard"
beside version show
measure show "$store" "" "$bin_q show $show_id"
beside read list_cold
measure list_cold "$store" "rm -rf .presales" "$bin_q list"

mem_warm="" mem_cold=""
if [[ -n $gnu_time ]]; then
    say "peak memory of presales list (warm, then cold)"
    (cd "$store" && "$bin" list >/dev/null 2>>"$log") || true
    mem_warm=$(peak_mb "$store" "" "$bin_q list")
    mem_cold=$(peak_mb "$store" "rm -rf .presales" "$bin_q list")
fi

# Search: warm (the untimed run builds or syncs the index), then after editing one article.
beside rg search
beside kbstat search
measure search "$store" "" "$bin_q kb search $query"
beside rg_nl search_nl
beside kbstat search_nl
measure search_nl "$store" "" "$bin_q kb search $nl_query"
if [[ -n "$edit_target" ]]; then
    measure search_edit "$store" "bash $big/edit-one.sh" "$bin_q kb search $query"
fi

# Checks: whole store, then a pull request of 10 changed records against HEAD.
beside read check
measure check "$store" "" "$bin_q check"
# A fresh clone has no .presales/: the first check parses every record and fills the cache.
beside read check_cold
measure check_cold "$store" "rm -rf .presales" "$bin_q check"
# Only the 10 commented requests differ from HEAD: undo the search row's article edit.
git -C "$store" checkout -q -- kb
say "commenting on 10 requests for check --base"
# The newest requests first; one whose last entry is later than PRESALES_NOW (the generator
# closes some after it) refuses a comment at that time, and the next one is taken.
commented=0
while read -r id && ((commented < 10)); do
    if (cd "$store" && "$bin" comment "$id" "基准测试备注 / benchmark note" >>"$log" 2>&1); then
        commented=$((commented + 1))
    fi
done < <(find "$store/requests" -name '*.yaml' | sort -r | xargs -n 1 basename -s .yaml)
say "  changed: $(git -C "$store" status --porcelain | wc -l) files"
# The whole check again, on the store as the gate sees it, just before the gate.
measure "check@check_base" "$store" "" "$bin_q check"
measure check_base "$store" "" "$bin_q check --base HEAD"

# The peer: 10,000 requests against 10,000 pending taskwarrior tasks.
measure list10k "$small/store" "" "$bin_q list"
if have task; then
    export TASKRC="$scale/taskwarrior/taskrc"
    measure task "$scale/taskwarrior" "" "task list"
    unset TASKRC
fi
if have backlog; then
    measure backlog "$scale/backlog" "" "backlog task list --plain"
fi

# --- the table --------------------------------------------------------------------------
commit="$(git -C "$repo" rev-parse --short HEAD)"
git -C "$repo" diff --quiet HEAD -- src Cargo.toml Cargo.lock || commit="$commit+uncommitted src changes"
count() { find "$store/$1" -name '*.yaml' | wc -l; }
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
mem_total="$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"

echo
echo "presales scale benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
echo "store: $(count requests) requests, $(count solutions) solutions, $(count kb) articles, $(count customers) customers; seed $seed"
echo "machine: $(nproc) cores ($cpu), $mem_total RAM, $(uname -sr); load average $load_start at start, $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?') at end"
echo "timing: $([[ -n $use_hyperfine ]] && hyperfine --version || echo 'bash loop'), median of the timed runs after one untimed run"
echo
echo "| command | median s | compared with | its median s | ratio | target | met |"
echo "|---|---:|---|---:|---:|---:|---|"
fmt() { [[ -n "${med[$1]:-}" ]] && awk -v v="${med[$1]}" 'BEGIN { printf "%.3f", v }' || echo "n/a"; }
ref_row() { # KEY LABEL
    echo "| $2 | $(fmt "$1") | (floor / peer) | | | | |"
}
row() { # KEY LABEL REF REF_LABEL FACTOR
    local key="$1" label="$2" ref="$3" ref_label="$4" factor="$5" ratio="n/a" met="n/a"
    # The reference measured just before this command, when it was.
    [[ -n "${med[$ref@$key]:-}" ]] && ref="$ref@$key"
    if [[ -n "${med[$key]:-}" && -n "${med[$ref]:-}" ]]; then
        ratio=$(awk -v a="${med[$key]}" -v b="${med[$ref]}" 'BEGIN { printf "%.2f", a / b }')
        met=$(awk -v r="$ratio" -v f="$factor" 'BEGIN { print (r <= f ? "yes" : "**no**") }')
    fi
    [[ -n "${note[$key]:-}" ]] && met="$met (${note[$key]})"
    echo "| $label | $(fmt "$key") | $ref_label | $(fmt "$ref") | $ratio | ≤ $factor | $met |"
}
ref_row stat "stat floor: \`find requests -name '*.yaml' -printf '%s %T@\\n'\`"
ref_row read "read floor: \`find requests -name '*.yaml' -exec cat {} +\`"
ref_row kbstat "stat floor of kb/: \`find kb -name '*.yaml' -printf …\`"
if have rg; then ref_row rg "\`rg -c $query kb/\`"; ref_row rg_nl "\`rg -c $nl_word kb/\`"; fi
ref_row version "\`presales --version\`"
row list_json "\`presales list --format json\`, warm" stat "stat floor" 2
row list_stage "\`presales list --stage review\`, warm" stat "stat floor" 1.5
row list_cold "\`presales list\`, cold (.presales/ deleted)" read "read floor" 3
row weekly "\`presales report weekly\`, warm" stat "stat floor" 3
row gaps "\`presales report gaps\`, warm" stat "stat floor" 3
row capacity "\`presales report capacity\`, warm" stat "stat floor" 3
row winloss "\`presales report winloss\`, warm" stat "stat floor" 3
row dashboard "\`presales dashboard\` (12 weeks), warm" stat "stat floor" 3
row show "\`presales show FULL-ID\`" version "\`presales --version\`" 3
if have rg; then
    row search "\`presales kb search \"$query\"\`, warm" rg "\`rg -c\`" 0.5
else
    echo "| \`presales kb search \"$query\"\`, warm | $(fmt search) | \`rg -c\`: rg not installed | | n/a | ≤ 0.5 | n/a |"
fi
row search "\`presales kb search \"$query\"\`, warm" kbstat "stat floor of kb/" 1.5
if have rg; then
    row search_nl "\`presales kb search \"$nl_query\"\`, warm" rg_nl "\`rg -c $nl_word\`" 0.5
fi
row search_nl "\`presales kb search \"$nl_query\"\`, warm" kbstat "stat floor of kb/" 1.5
row search_edit "first search after editing one article" search "warm search" 2
row check "\`presales check\` (whole store)" read "read floor" 3
row check_cold "\`presales check\`, fresh clone (.presales/ deleted)" read "read floor" 4
row check_base "\`presales check --base HEAD\`, 10 changed records" check "whole-store check" 0.2
if have task; then
    row list10k "\`presales list\` at 10k requests" task "\`task list\`, 10k tasks" 0.5
else
    echo "| \`presales list\` at 10k requests | $(fmt list10k) | \`task list\`: taskwarrior not installed | | n/a | ≤ 0.5 | n/a |"
fi
if have backlog; then
    row list10k "\`presales list\` at 10k requests" backlog "\`backlog task list --plain\`, 10k tasks" 0.5
else
    echo "| \`presales list\` at 10k requests | $(fmt list10k) | Backlog.md: \`backlog\` not installed (npm install -g backlog.md) | | n/a | ≤ 0.5 | n/a |"
fi
mem_row() { # LABEL MB
    local met="n/a"
    [[ -n "$2" ]] && met=$(awk -v m="$2" 'BEGIN { print (m <= 250 ? "yes" : "**no**") }')
    echo "| $1 | ${2:-n/a} MB | | | | ≤ 250 MB | $met |"
}
if [[ -n $gnu_time ]]; then
    mem_row "peak memory (max RSS) of \`presales list\`, warm" "$mem_warm"
    mem_row "peak memory (max RSS) of \`presales list\`, cold" "$mem_cold"
else
    mem_row "peak memory of \`presales list\` (needs /usr/bin/time: apt-get install time)" ""
fi
say "done; tool output in $log"
