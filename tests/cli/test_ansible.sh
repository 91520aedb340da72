#!/usr/bin/env bash
# The Ansible role fleet/ansible/roles/sxsfix, run for real: the Linux
# rescue flow of fleet/ansible/site.yml on local hosts (connection local)
# against generated installations (broken and repaired with the right
# update, healthy, broken with the wrong update), first with --check (the
# plan; nothing changed on any volume or on the controller), then for real:
# facts, changed, failed, the collected reports and the fleet page. Then
# --syntax-check of the Windows flow and ansible-lint.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -z "$EMU" ] || { echo "SKIP: the rescue flow runs the Linux sxsfix; the Windows build is not run by Ansible here"; exit 77; }
# The role's run is the native suite's: under the sanitizers it reaches no
# code of sxsfix the other tests do not (and costs a minute of the run).
[ -z "${ASAN_OPTIONS:-}" ] || { echo "SKIP: the Ansible run is the native suite's (its sxsfix commands are covered under the sanitizers by the other tests)"; exit 77; }
for tool in ansible-playbook gcab wimlib-imagex hivexsh lua5.4 jq iconv; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (scripts/deps.sh installs it)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: repair --apply needs root"; exit 77; }
A=$SXSFIX_SOURCE/fleet/ansible
export ANSIBLE_LOCAL_TEMP=$tmp/ansible-local ANSIBLE_REMOTE_TEMP=$tmp/ansible-remote ANSIBLE_NOCOLOR=1 \
  ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PIPELINING=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_CONFIG=$tmp/ansible.cfg HOME=$tmp

printf "[defaults]\n" >"$tmp/ansible.cfg"   # none of the machine's settings
sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
rename() {  # rename ROOT NAME: the computer name in the SYSTEM hive's current control set
  printf 'cd ControlSet002\\Control\\ComputerName\\ComputerName\nsetval 1\nComputerName\nstring:%s\ncommit\n' "$2" |
    hivexsh -w "$1/Windows/System32/config/SYSTEM" >/dev/null
}
cp -a "$tmp/img/root" "$tmp/broken"
cp -a "$tmp/img/root" "$tmp/healthy" && rename "$tmp/healthy" HEALTHY-PC
cp "$tmp/img/ssu/amd64-10.0.26100.5074/payload/$STACK/"* "$tmp/healthy/Windows/WinSxS/$STACK/"
rm -rf "$tmp/healthy/\$WINDOWS.~BT" "$tmp/healthy/Windows/Logs"/*/*
cp -a "$tmp/img/root" "$tmp/wrong" && rename "$tmp/wrong" WRONG-PC
before=$(find "$tmp/wrong" -printf '%p %s %T@\n' | sort | md5sum)
cat >"$tmp/hosts.ini" <<INI
broken ansible_connection=local sxsfix_root=$tmp/broken sxsfix_ssu=$tmp/img/ssu/amd64-10.0.26100.5074/windows11.0-kb5043080-x64.msu sxsfix_trust=$tmp/img/ca/ca.pem
healthy ansible_connection=local sxsfix_root=$tmp/healthy sxsfix_ssu=$tmp/img/ssu/amd64-10.0.26100.5074/windows11.0-kb5043080-x64.msu sxsfix_trust=$tmp/img/ca/ca.pem
wrong ansible_connection=local sxsfix_root=$tmp/wrong sxsfix_ssu=$tmp/img/ssu/arm64-10.0.26100.5074/windows11.0-kb5043080-arm64.msu sxsfix_trust=$tmp/img/ca/ca.pem
INI

fact() { jqv ".plays[0].tasks[] | select(.task.name | endswith(\"${3:-Set the facts}\")) | .hosts.$1.ansible_facts.$2"; }
# --- check mode first, on the untouched volumes: the plan, and nothing changed ------
state() { find "$tmp/broken" "$tmp/healthy" "$tmp/wrong" -printf '%p %s %m %T@\n' | sort | md5sum; }
pristine=$(state)
ANSIBLE_STDOUT_CALLBACK=json timeout 900 ansible-playbook --check -i "$tmp/hosts.ini" "$A/site.yml" \
  -e "sxsfix_bin=$SXSFIX" -e "sxsfix_report_bin=$SXSFIX" -e "sxsfix_work=$tmp/work-check" \
  -e "sxsfix_collect_dir=$tmp/collected-check" >"$tmp/check.json" 2>"$tmp/check.err"
rc=$? out=$(cat "$tmp/check.json") err=$(cat "$tmp/check.err")
check "check mode: exit 0 (the diagnosis ran, nothing failed), valid JSON" test "$rc" = 0 -a -n "$(jqv '.stats | keys | join(",")')"
check "check mode: no host changed" test "$(jqv '[.stats[].changed] | add')" = 0
check "check mode: nothing changed on the three volumes" test "$(state)" = "$pristine"
check "check mode: no work folder, no report folder or page on the controller" \
  test ! -e "$tmp/work-check" -a ! -e "$tmp/collected-check"
plan() { jqv ".plays[0].tasks[] | select(.task.name | endswith(\"Show the plan (check mode)\")) | .hosts.$1.msg"; }
check "check mode: broken: the plan says it would repair, with the DAMAGED line" \
  has "$(plan broken)" "would repair: sxsfix repair --ssu $tmp/img/ssu/amd64-10.0.26100.5074/windows11.0-kb5043080-x64.msu --apply; DAMAGED SAMPLE-PC"
check "check mode: healthy: the plan says it would not repair" has "$(plan healthy)" "would not repair (healthy): HEALTHY HEALTHY-PC"
check "check mode: the diagnosis ran for real (facts from its JSON)" test "$(fact wrong sxsfix_verdict)" = damaged

ANSIBLE_STDOUT_CALLBACK=json timeout 900 ansible-playbook -i "$tmp/hosts.ini" "$A/site.yml" \
  -e "sxsfix_bin=$SXSFIX" -e "sxsfix_report_bin=$SXSFIX" -e "sxsfix_work=$tmp/work" \
  -e "sxsfix_collect_dir=$tmp/collected" >"$tmp/play.json" 2>"$tmp/play.err"
rc=$? out=$(cat "$tmp/play.json") err=$(cat "$tmp/play.err")
check "playbook: exit 2 (one host failed), valid JSON" test "$rc" = 2 -a -n "$(jqv '.stats | keys | join(",")')"
check "broken: facts: verdict healthy after the repair" test "$(fact broken sxsfix_verdict)" = healthy
check "broken: facts: repair status repaired, no restart" test "$(fact broken sxsfix_repair_status),$(fact broken sxsfix_reboot_required)" = "repaired,false"
check "broken: facts: the summary line" has "$(fact broken sxsfix_summary)" "REPAIRED SAMPLE-PC 26100.5074: restored amd64 servicingstack"
check "broken: facts: the diagnose JSON" test "$(fact broken sxsfix_diagnose.verdict "Read the diagnosis")" = damaged
check "broken: changed (1), not failed" test "$(jqv '.stats.broken | "\(.changed),\(.failures)"')" = "1,0"
check "broken: the folder is restored" test "$(ls "$tmp/broken/Windows/WinSxS/$STACK" | wc -l)" = 8
check "healthy: facts: verdict healthy, no repair" test "$(fact healthy sxsfix_verdict),$(fact healthy sxsfix_repair_status)" = "healthy,"
check "healthy: not changed, not failed" test "$(jqv '.stats.healthy | "\(.changed),\(.failures)"')" = "0,0"
check "wrong update: failed" test "$(jqv '.stats.wrong.failures')" = 1
check "wrong update: not changed" test "$(jqv '.stats.wrong.changed')" = 0
msg=$(jqv '.plays[0].tasks[] | select(.task.name | endswith("repair failed")) | .hosts.wrong.msg')
check "wrong update: the failure carries exit 3 and the summary" has "$msg" "sxsfix repair exit 3: REFUSED WRONG-PC 26100.5074: the update is for arm64"
check "wrong update: nothing changed on the volume" test "$(find "$tmp/wrong" -printf '%p %s %T@\n' | sort | md5sum)" = "$before"

C=$tmp/collected
check "collected: one diagnose report per host, one repair report per repair" \
  test "$(cd "$C" && ls *.json | sort | tr '\n' ' ')" = "HEALTHY-PC-diagnose.json SAMPLE-PC-diagnose.json SAMPLE-PC-repair.json WRONG-PC-diagnose.json WRONG-PC-repair.json "
check "collected: the reports are sxsfix's JSON" test "$(jq -r .command "$C/SAMPLE-PC-repair.json")" = repair
check "collected: the fleet page was written" test -s "$C/fleet.html"
run report --format json "$C"
check "report of the collected folder: 3 machines, newest each" test "$(jqv '[.machines, .reports, .history] | join(",")')" = "3,5,2"
check "report: verdicts (SAMPLE-PC healthy after repair, WRONG-PC damaged)" \
  test "$(jqv '.verdicts | "\(.healthy),\(.damaged)"')" = "2,1"
check "report: WRONG-PC needs a look (refused)" test "$(jqv '.attention | map("\(.machine)=\(.state)") | join(",")')" = "WRONG-PC=refused"
check "fleet page: one row per machine" test "$(grep -o '<tr class="machine">' "$C/fleet.html" | wc -l)" = 3

# --- the Windows flow: syntax, and lint -----------------------------------------
printf '[windows]\npc-0142 ansible_connection=winrm\n' >"$tmp/win.ini"
run_ap() { out=$("$@" 2>&1); rc=$?; }
run_ap ansible-playbook -i "$tmp/win.ini" --syntax-check "$A/site.yml"
check "windows: site.yml --syntax-check" test "$rc" = 0
if ansible-doc -t module ansible.windows.win_command >/dev/null 2>&1; then
  check "windows: ansible.windows.win_command is installed (Debian's ansible)" true
else
  skip "ansible.windows is not installed: --syntax-check cannot resolve win_command"
fi
if command -v ansible-lint >/dev/null && (cd "$tmp" && ansible-lint --version >/dev/null 2>&1); then
  run_ap env -C "$A" ansible-lint --offline -p site.yml roles/sxsfix
  check "ansible-lint: no findings" test "$rc" = 0
else
  skip "ansible-lint does not run here"
fi

echo "ansible: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
