# fleet/configmgr/*.ps1, run for real: each test starts the script in its own pwsh with -File, as the ConfigMgr
# client does, calling the Linux sxsfix ($env:SXSFIX) against installations that scripts/sample-image.sh generates
# (damaged, healthy, repaired, and no --root at all: unknown, with its reason), stdout and stderr apart (ConfigMgr
# reads them apart), plus a stand-in sxsfix.exe for an over-long line. The registry results key and exit 3010 need
# Windows and are skipped elsewhere.
BeforeAll {
  $script:Source = $env:SXSFIX_SOURCE
  $script:Sxsfix = $env:SXSFIX
  $script:Cm = Join-Path $Source 'fleet/configmgr'
  $script:Tmp = Join-Path ([IO.Path]::GetTempPath()) ("sxsfix-pester-cm-" + [guid]::NewGuid())
  New-Item -ItemType Directory -Path $Tmp | Out-Null
  & bash (Join-Path $Source 'scripts/sample-image.sh') "$Tmp/img" *> $null
  if ($LASTEXITCODE -ne 0) { throw "scripts/sample-image.sh failed" }
  $script:Stack = 'amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4'
  $script:Msu = "$Tmp/img/ssu/amd64-10.0.26100.5074/windows11.0-kb5043080-x64.msu"
  $script:Arm = "$Tmp/img/ssu/arm64-10.0.26100.5074/windows11.0-kb5043080-arm64.msu"
  $script:Ca = "$Tmp/img/ca/ca.pem"
  & cp -a "$Tmp/img/root" "$Tmp/damaged"
  & cp -a "$Tmp/img/root" "$Tmp/healthy"
  & bash -c 'cp "$1"/* "$2" && rm -rf "$3/\$WINDOWS.~BT" "$3"/Windows/Logs/*/*' x `
    "$Tmp/img/ssu/amd64-10.0.26100.5074/payload/$Stack" "$Tmp/healthy/Windows/WinSxS/$Stack" "$Tmp/healthy"
  # a stand-in sxsfix.exe: prints TEXT COUNT times on one line, exits CODE
  $script:StandIn = {
    param([string]$Text, [int]$Count, [int]$Code)
    $f = Join-Path $Tmp ("stand-in-" + [guid]::NewGuid())
    if ($env:OS -eq 'Windows_NT') {
      Set-Content -LiteralPath "$f.cmd" -Value "@echo off`r`necho $($Text * $Count)`r`nexit /b $Code"
      return "$f.cmd"
    }
    Set-Content -LiteralPath $f -Value "#!/bin/sh`nprintf '%s\n' '$($Text * $Count)'`nexit $Code" -Encoding utf8NoBOM
    & chmod 755 $f
    $f
  }
  # Run SCRIPT ARGS...: the script in a new pwsh; its exit code, stdout and stderr
  $script:Run = {
    param([string]$Script, [string[]]$ScriptArgs)
    $err = Join-Path $Tmp ("stderr-" + [guid]::NewGuid())
    $out = & pwsh -NoProfile -NonInteractive -File (Join-Path $Cm $Script) @ScriptArgs 2>$err | Out-String
    [pscustomobject]@{ Code = $LASTEXITCODE; Out = $out.TrimEnd("`r", "`n")
                       Err = ((Get-Content -Raw -LiteralPath $err -ErrorAction SilentlyContinue) ?? '').TrimEnd("`r", "`n") }
  }
}
AfterAll { if ($Tmp) { Remove-Item -LiteralPath $Tmp -Recurse -Force -ErrorAction SilentlyContinue } }

Describe 'runscript.ps1 (Run Scripts: one JSON line under 4 KB)' {
  It 'damaged: exit 1, one line of JSON with the verdict, name, build and the DAMAGED line' {
    $r = & $Run 'runscript.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/s1", '--root', "$Tmp/damaged")
    $r.Code | Should -Be 1
    ($r.Out -split "`n").Count | Should -Be 1
    $j = $r.Out | ConvertFrom-Json
    "$($j.verdict) $($j.computer) $($j.build) $($j.exit_code)" | Should -Be 'damaged SAMPLE-PC 26100.5074 1'
    $j.summary | Should -Match '^DAMAGED SAMPLE-PC 26100\.5074: amd64 servicingstack'
    (& stat -c '%a' "$Tmp/s1") | Should -Be '700'
  }
  It 'healthy: exit 0, verdict healthy' {
    $r = & $Run 'runscript.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/s2", '--root', "$Tmp/healthy")
    $r.Code | Should -Be 0
    ($r.Out | ConvertFrom-Json).verdict | Should -Be 'healthy'
  }
  It 'unknown: exit 5, verdict unknown, the summary says why' {
    $r = & $Run 'runscript.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/s3")
    $r.Code | Should -Be 5
    $j = $r.Out | ConvertFrom-Json
    $j.verdict | Should -Be 'unknown'
    $j.summary | Should -Match '^UNKNOWN .*: cannot read the Component Based Servicing'
  }
  It 'sxsfix.exe missing: exit 3, verdict error naming the path' {
    $r = & $Run 'runscript.ps1' @('-Exe', "$Tmp/no-such/sxsfix.exe", '-WorkDir', "$Tmp/s4")
    $r.Code | Should -Be 3
    $j = $r.Out | ConvertFrom-Json
    $j.verdict | Should -Be 'error'
    $j.summary | Should -BeLike "ERROR sxsfix.exe not found ($Tmp/no-such/sxsfix.exe)*"
  }
  It 'bad arguments to sxsfix: its exit 3, verdict error with sxsfix''s message' {
    $r = & $Run 'runscript.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/s5", '--no-such-option')
    $r.Code | Should -Be 3
    $j = $r.Out | ConvertFrom-Json
    $j.verdict | Should -Be 'error'
    $j.summary | Should -Match 'no-such-option'
  }
  It 'a 9,000-byte line (3,000 two-byte characters): the JSON stays valid and under 4,000 bytes, the summary cut' {
    $long = & $StandIn ([string][char]0xe9) 3000 1
    $r = & $Run 'runscript.ps1' @('-Exe', $long, '-WorkDir', "$Tmp/s6")
    $r.Code | Should -Be 1
    [Text.Encoding]::UTF8.GetByteCount($r.Out) | Should -BeLessOrEqual 4000
    [Text.Encoding]::UTF8.GetByteCount($r.Out) | Should -BeGreaterThan 3900
    ($r.Out | ConvertFrom-Json).summary | Should -Match "^$([char]0xe9)+\.\.\.$"
  }
}

Describe 'discovery.ps1 (configuration item: the value, exit 0; non-zero = discovery error)' {
  It 'damaged: exit 0, the DAMAGED line is the value, nothing on stderr' {
    $r = & $Run 'discovery.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/d1", '--root', "$Tmp/damaged")
    $r.Code | Should -Be 0
    $r.Out | Should -Match '^DAMAGED SAMPLE-PC '
    $r.Err | Should -BeNullOrEmpty
  }
  It 'healthy: exit 0, the HEALTHY line' {
    $r = & $Run 'discovery.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/d2", '--root', "$Tmp/healthy")
    $r.Code | Should -Be 0
    $r.Out | Should -Match '^HEALTHY SAMPLE-PC '
  }
  It 'unknown: exit 0, the UNKNOWN line with its reason (compliant: a repair cannot help)' {
    $r = & $Run 'discovery.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/d3")
    $r.Code | Should -Be 0
    $r.Out | Should -Match '^UNKNOWN .*: cannot read the Component Based Servicing'
  }
  It 'sxsfix.exe missing: exit 1 (discovery error), no value, the reason on stderr' {
    $r = & $Run 'discovery.ps1' @('-Exe', "$Tmp/none.exe", '-WorkDir', "$Tmp/d4")
    $r.Code | Should -Be 1
    $r.Out | Should -BeNullOrEmpty
    $r.Err | Should -BeLike "ERROR sxsfix.exe not found ($Tmp/none.exe)*"
  }
  It 'bad arguments to sxsfix: its exit 3 (discovery error), no value, sxsfix''s message on stderr' {
    $r = & $Run 'discovery.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/d5", '--no-such-option')
    $r.Code | Should -Be 3
    $r.Out | Should -BeNullOrEmpty
    $r.Err | Should -Match '^ERROR sxsfix exited 3: .*no-such-option'
  }
  It 'a line longer than 2,048 characters is cut to 2,048' {
    $long = & $StandIn 'x' 5000 1
    $r = & $Run 'discovery.ps1' @('-Exe', $long, '-WorkDir', "$Tmp/d6")
    $r.Code | Should -Be 0
    $r.Out.Length | Should -Be 2048
  }
}

Describe 'detection.ps1 (Application: output + exit 0 = installed; no output + exit 0 = not installed)' {
  It 'healthy: exit 0 with the HEALTHY line on stdout (installed: no repair runs)' {
    $r = & $Run 'detection.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/a1", '--root', "$Tmp/healthy")
    $r.Code | Should -Be 0
    $r.Out | Should -Match '^HEALTHY SAMPLE-PC '
  }
  It 'damaged: exit 0 with nothing on stdout or stderr (not installed: the repair runs)' {
    $r = & $Run 'detection.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/a2", '--root', "$Tmp/damaged")
    $r.Code | Should -Be 0
    $r.Out | Should -BeNullOrEmpty
    $r.Err | Should -BeNullOrEmpty
  }
  It 'unknown: exit 5 (detection failure), no stdout, the UNKNOWN line and its reason on stderr' {
    $r = & $Run 'detection.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/a3")
    $r.Code | Should -Be 5
    $r.Out | Should -BeNullOrEmpty
    $r.Err | Should -Match '^ERROR sxsfix exited 5: UNKNOWN .*: cannot read the Component Based Servicing'
  }
  It 'sxsfix.exe missing: exit 1 (detection failure), never "installed"' {
    $r = & $Run 'detection.ps1' @('-Exe', "$Tmp/none.exe", '-WorkDir', "$Tmp/a4")
    $r.Code | Should -Be 1
    $r.Out | Should -BeNullOrEmpty
    $r.Err | Should -BeLike "ERROR sxsfix.exe not found ($Tmp/none.exe)*"
  }
  It 'bad arguments to sxsfix: its exit 3 (detection failure), no stdout' {
    $r = & $Run 'detection.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/a5", '--no-such-option')
    $r.Code | Should -Be 3
    $r.Out | Should -BeNullOrEmpty
    $r.Err | Should -Match 'no-such-option'
  }
}

Describe 'remediation.ps1 (configuration item remediation)' {
  It 'damaged + the right update: exit 0, REPAIRED; then discovery HEALTHY and detection "installed"' {
    & cp -a "$Tmp/img/root" "$Tmp/fixme"
    $r = & $Run 'remediation.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/m1", '-Ssu', $Msu, '-Trust', $Ca, '--root', "$Tmp/fixme")
    $r.Out | Should -Match '^REPAIRED SAMPLE-PC '
    $r.Code | Should -Be 0
    (Get-Content -Raw "$Tmp/m1/repair.json" | ConvertFrom-Json).repair.status | Should -Be 'repaired'
    (& $Run 'discovery.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/m1", '--root', "$Tmp/fixme")).Out | Should -Match '^HEALTHY '
    (& $Run 'detection.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/m1", '--root', "$Tmp/fixme")).Out | Should -Match '^HEALTHY '
  }
  It 'the wrong architecture: exit 3, REFUSED; remediate.log says why' {
    $r = & $Run 'remediation.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/m2", '-Ssu', $Arm, '-Trust', $Ca, '--root', "$Tmp/damaged")
    $r.Out | Should -Match '^REFUSED '
    $r.Code | Should -Be 3
    $log = Get-Content -Raw "$Tmp/m2/remediate.log"
    $log | Should -Match 'repair: refused: .*arm64'
    $log | Should -Match 'remediate\.ps1: exit 3: REFUSED '
  }
  It 'sxsfix.exe missing: exit 3, one line naming it, logged' {
    $r = & $Run 'remediation.ps1' @('-Exe', "$Tmp/none.exe", '-WorkDir', "$Tmp/m3")
    $r.Code | Should -Be 3
    $r.Out | Should -BeLike "ERROR sxsfix.exe not found ($Tmp/none.exe)*"
    Get-Content -Raw "$Tmp/m3/remediate.log" | Should -Match "sxsfix.exe not found \($([regex]::Escape("$Tmp/none.exe"))\)"
  }
  It 'exit 3010 (repaired, a restart completes it) passes through' {
    if ($env:OS -ne 'Windows_NT') {
      Set-ItResult -Skipped -Because 'a POSIX exit status keeps only the low byte (3010 arrives as 194): not reachable here'
      return
    }
    $reboot = & $StandIn 'REBOOT ' 1 3010
    $r = & $Run 'remediation.ps1' @('-Exe', $reboot, '-WorkDir', "$Tmp/m4")
    $r.Code | Should -Be 3010
    $r.Out | Should -Match '^REBOOT'
  }
}

Describe 'the registry results key (HKLM\SOFTWARE\sxsfix\Results)' {
  It 'discovery writes Verdict, Summary, Time, Command and ExitCode, read back' {
    if ($env:OS -ne 'Windows_NT') {
      Set-ItResult -Skipped -Because 'New-ItemProperty needs a live Windows registry (pwsh on Linux has no HKLM: drive)'
      return
    }
    $key = "HKCU:\Software\sxsfix-pester-$([guid]::NewGuid())"
    $r = & $Run 'discovery.ps1' @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/k1", '-ResultsKey', $key, '--root', "$Tmp/damaged")
    $v = Get-ItemProperty -LiteralPath $key
    Remove-Item -LiteralPath $key -Recurse
    "$($v.Command) $($v.Verdict) $($v.ExitCode)" | Should -Be 'diagnose damaged 1'
    $v.Summary | Should -Be $r.Out
  }
}
