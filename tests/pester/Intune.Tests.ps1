# fleet/intune/detect.ps1 and remediate.ps1, run for real: each test starts the script in its own pwsh with -File, as
# Intune's agent does, calling the Linux sxsfix ($env:SXSFIX) against installations that scripts/sample-image.sh
# generates (damaged, healthy, repaired, and no --root at all: unknown), plus stand-ins for sxsfix.exe where the real
# one cannot produce a case here (an over-long line; exit 3010, which needs files in use on Windows and, as an exit
# status, Windows itself: it is skipped elsewhere). remediate.ps1's log (remediate.log) is read back.
BeforeAll {
  $script:Source = $env:SXSFIX_SOURCE
  $script:Sxsfix = $env:SXSFIX
  $script:Detect = Join-Path $Source 'fleet/intune/detect.ps1'
  $script:Remediate = Join-Path $Source 'fleet/intune/remediate.ps1'
  $script:Tmp = Join-Path ([IO.Path]::GetTempPath()) ("sxsfix-pester-" + [guid]::NewGuid())
  New-Item -ItemType Directory -Path $Tmp | Out-Null
  & bash (Join-Path $Source 'scripts/sample-image.sh') "$Tmp/img" *> $null
  if ($LASTEXITCODE -ne 0) { throw "scripts/sample-image.sh failed" }
  $script:Stack = 'amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4'
  $script:Msu = "$Tmp/img/ssu/amd64-10.0.26100.5074/windows11.0-kb5043080-x64.msu"
  $script:Ca = "$Tmp/img/ca/ca.pem"
  & cp -a "$Tmp/img/root" "$Tmp/damaged"
  & cp -a "$Tmp/img/root" "$Tmp/healthy"
  & bash -c 'cp "$1"/* "$2" && rm -rf "$3/\$WINDOWS.~BT" "$3"/Windows/Logs/*/*' x `
    "$Tmp/img/ssu/amd64-10.0.26100.5074/payload/$Stack" "$Tmp/healthy/Windows/WinSxS/$Stack" "$Tmp/healthy"
  # a stand-in sxsfix.exe: prints its first argument's text COUNT times on one line, exits CODE
  $script:StandIn = {
    param([string]$Text, [int]$Count, [int]$Code)
    $f = Join-Path $Tmp ("stand-in-" + [guid]::NewGuid())
    if ($env:OS -eq 'Windows_NT') {
      Set-Content -LiteralPath "$f.cmd" -Value "@echo off`r`necho $($Text * $Count)`r`nexit /b $Code"
      return "$f.cmd"
    }
    Set-Content -LiteralPath $f -Value "#!/bin/sh`necho '$($Text * $Count)'`nexit $Code"
    & chmod 755 $f
    $f
  }
  # Run SCRIPT ARGS...: the script in a new pwsh; returns its exit code and output
  $script:Run = {
    param([string]$Script, [string[]]$ScriptArgs)
    $out = & pwsh -NoProfile -NonInteractive -File $Script @ScriptArgs 2>&1 | Out-String
    [pscustomobject]@{ Code = $LASTEXITCODE; Out = $out.TrimEnd("`r", "`n") }
  }
}
AfterAll { if ($Tmp) { Remove-Item -LiteralPath $Tmp -Recurse -Force -ErrorAction SilentlyContinue } }

Describe 'detect.ps1' {
  It 'damaged installation: exit 1 (remediate), the DAMAGED line' {
    $r = & $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/w1", '--root', "$Tmp/damaged")
    $r.Code | Should -Be 1
    $r.Out | Should -Match '^DAMAGED SAMPLE-PC '
  }
  It 'damaged: the --json stays in a private folder (mode 700) and says damaged' {
    & $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/w2", '--root', "$Tmp/damaged") | Out-Null
    (Get-Content -Raw "$Tmp/w2/diagnose.json" | ConvertFrom-Json).verdict | Should -Be 'damaged'
    (& stat -c '%a' "$Tmp/w2") | Should -Be '700'
  }
  It 'healthy installation: exit 0, the HEALTHY line' {
    $r = & $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/w3", '--root', "$Tmp/healthy")
    $r.Out | Should -Match '^HEALTHY SAMPLE-PC '
    $r.Code | Should -Be 0
  }
  It 'unknown (sxsfix exit 5, no installation to read): exit 0, the line says UNKNOWN' {
    $r = & $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/w4")
    $r.Out | Should -Match '^UNKNOWN '
    $r.Code | Should -Be 0
  }
  It 'sxsfix.exe missing: exit 1 (a detection failure, never healthy), one line naming it' {
    $r = & $Run $Detect @('-Exe', "$Tmp/no-such/sxsfix.exe", '-WorkDir', "$Tmp/w5")
    $r.Code | Should -Be 1
    $r.Out | Should -BeLike "ERROR sxsfix.exe not found ($Tmp/no-such/sxsfix.exe)*"
    ($r.Out -split "`n").Count | Should -Be 1
  }
  It 'bad arguments to sxsfix (exit 3): exit 1, not healthy' {
    $r = & $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/w6", '--no-such-option')
    $r.Code | Should -Be 1
    $r.Out | Should -Match 'no-such-option'
  }
  It 'a line longer than 2,048 characters is cut to 2,048' {
    $long = & $StandIn 'x' 5000 1
    $r = & $Run $Detect @('-Exe', $long, '-WorkDir', "$Tmp/w7")
    $r.Out.Length | Should -Be 2048
    $r.Code | Should -Be 1
  }
  It '-Engine ConfigMgr: exit 0 even when damaged, the line carries the verdict' {
    $r = & $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/w8", '-Engine', 'ConfigMgr', '--root', "$Tmp/damaged")
    $r.Code | Should -Be 0
    $r.Out | Should -Match '^DAMAGED '
  }
}

Describe 'remediate.ps1' {
  It 'damaged + the right update: exit 0, REPAIRED; detection then exit 0' {
    & cp -a "$Tmp/img/root" "$Tmp/fixme"
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/r1", '-Ssu', $Msu, '-Trust', $Ca, '--root', "$Tmp/fixme")
    $r.Out | Should -Match '^REPAIRED SAMPLE-PC '
    $r.Code | Should -Be 0
    (Get-Content -Raw "$Tmp/r1/repair.json" | ConvertFrom-Json).repair.status | Should -Be 'repaired'
    (& $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/r1", '--root', "$Tmp/fixme")).Code | Should -Be 0
  }
  It 'the wrong architecture: exit 3, REFUSED' {
    $arm = "$Tmp/img/ssu/arm64-10.0.26100.5074/windows11.0-kb5043080-arm64.msu"
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/r2", '-Ssu', $arm, '-Trust', $Ca, '--root', "$Tmp/damaged")
    $r.Out | Should -Match '^REFUSED '
    $r.Code | Should -Be 3
  }
  It 'a refused repair: remediate.log in the private folder says why (sxsfix''s --log and the script''s own lines)' {
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/r7", '-Ssu', $Msu, '--root', "$Tmp/damaged")
    $r.Code | Should -Be 3
    $log = Get-Content -Raw "$Tmp/r7/remediate.log"
    $log | Should -Match 'sxsfix [^ ]+ repair: start'
    $log | Should -Match 'repair: refused: .*untrusted root'
    $log | Should -Match 'remediate\.ps1: exit 3: REFUSED '
    (& stat -c '%a' "$Tmp/r7") | Should -Be '700'
  }
  It 'an update signed by a CA it was not told to trust (no -Trust): exit 3, REFUSED naming the untrusted root' {
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/r3", '-Ssu', $Msu, '--root', "$Tmp/damaged")
    $r.Code | Should -Be 3
    $r.Out | Should -Match '^REFUSED .*untrusted root'
  }
  It 'sxsfix.exe missing: exit 3, one line naming it, logged' {
    $r = & $Run $Remediate @('-Exe', "$Tmp/none.exe", '-WorkDir', "$Tmp/r4")
    $r.Code | Should -Be 3
    $r.Out | Should -BeLike "ERROR sxsfix.exe not found ($Tmp/none.exe)*"
    Get-Content -Raw "$Tmp/r4/remediate.log" | Should -Match 'remediate\.ps1: sxsfix\.exe not found'
  }
  It 'exit 3010 (repaired, a restart completes it; needs files in use on Windows, so a stand-in) passes through' {
    if ($env:OS -ne 'Windows_NT') {
      Set-ItResult -Skipped -Because 'a POSIX exit status keeps only the low byte (3010 arrives as 194): not reachable here'
      return
    }
    $reboot = & $StandIn 'REBOOT ' 1 3010
    $r = & $Run $Remediate @('-Exe', $reboot, '-WorkDir', "$Tmp/r5")
    $r.Code | Should -Be 3010
    $r.Out | Should -Match '^REBOOT'
  }
  It 'a line longer than 2,048 characters is cut to 2,048' {
    $long = & $StandIn 'y' 3000 2
    $r = & $Run $Remediate @('-Exe', $long, '-WorkDir', "$Tmp/r6")
    $r.Out.Length | Should -Be 2048
    $r.Code | Should -Be 2
  }
}

Describe 'remediate.ps1 -SsuUrl (the update over HTTPS, checked by its SHA-256)' {
  BeforeAll {
    # a local HTTPS server (Python's, with a certificate made here and trusted through SSL_CERT_FILE) serving the update
    $script:Web = Join-Path $Tmp 'web'
    New-Item -ItemType Directory -Path $Web | Out-Null
    & cp $Msu $Web
    & openssl req -x509 -newkey rsa:2048 -nodes -keyout "$Tmp/key.pem" -out "$Tmp/cert.pem" -days 2 -subj /CN=localhost `
      -addext 'subjectAltName=DNS:localhost' *> $null
    Set-Content -LiteralPath "$Tmp/srv.py" -Value @'
import http.server, ssl, sys, os
os.chdir(sys.argv[1])
httpd = http.server.HTTPServer(('127.0.0.1', 0), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
'@
    $script:Server = Start-Process -FilePath python3 -ArgumentList "$Tmp/srv.py", $Web, "$Tmp/cert.pem", "$Tmp/key.pem" `
      -RedirectStandardOutput "$Tmp/port" -RedirectStandardError "$Tmp/srv.err" -PassThru
    for ($i = 0; $i -lt 200 -and -not (Get-Content -LiteralPath "$Tmp/port" -ErrorAction SilentlyContinue); $i++) { Start-Sleep -Milliseconds 100 }
    $script:Url = "https://localhost:$((Get-Content -LiteralPath "$Tmp/port").Trim())/windows11.0-kb5043080-x64.msu"
    $script:Sha = (Get-FileHash -LiteralPath $Msu -Algorithm SHA256).Hash
    $env:SSL_CERT_FILE = "$Tmp/cert.pem"
  }
  AfterAll {
    Remove-Item Env:SSL_CERT_FILE -ErrorAction SilentlyContinue
    if ($Server) { Stop-Process -Id $Server.Id -ErrorAction SilentlyContinue }
  }
  It 'the right SHA-256: downloaded into the private folder, exit 0, REPAIRED' {
    & cp -a "$Tmp/img/root" "$Tmp/web-fix"
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/u1", '-SsuUrl', $Url, '-SsuSha256', $Sha.ToLower(),
                             '-Trust', $Ca, '--root', "$Tmp/web-fix")
    $r.Out | Should -Match '^REPAIRED SAMPLE-PC '
    $r.Code | Should -Be 0
    (Get-ChildItem -Name "$Tmp/u1/ssu") | Should -Be 'windows11.0-kb5043080-x64.msu'
  }
  It 'another SHA-256: exit 3, REFUSED naming the hash, nothing kept, nothing repaired' {
    $other = 'ab' * 32
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/u2", '-SsuUrl', $Url, '-SsuSha256', $other,
                             '-Trust', $Ca, '--root', "$Tmp/damaged")
    $r.Code | Should -Be 3
    $r.Out | Should -Be "REFUSED windows11.0-kb5043080-x64.msu: its SHA-256 is $Sha, not the -SsuSha256 given: nothing repaired"
    @(Get-ChildItem -Name "$Tmp/u2/ssu").Count | Should -Be 0
    (& $Run $Detect @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/u2", '--root', "$Tmp/damaged")).Code | Should -Be 1
  }
  It 'an http:// URL, or no -SsuSha256: exit 3 before any download' {
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/u3", '-SsuUrl', ($Url -replace '^https', 'http'), '-SsuSha256', $Sha)
    $r.Code | Should -Be 3
    $r.Out | Should -Match '^ERROR -SsuUrl needs an https:// URL'
    Test-Path "$Tmp/u3/ssu" | Should -BeFalse
    (& $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/u4", '-SsuUrl', $Url)).Code | Should -Be 3
  }
  It 'the server unreachable: exit 3, ERROR cannot download, no partial file left' {
    $r = & $Run $Remediate @('-Exe', $Sxsfix, '-WorkDir', "$Tmp/u5", '-SsuUrl', 'https://localhost:1/x.msu', '-SsuSha256', $Sha)
    $r.Code | Should -Be 3
    $r.Out | Should -Match '^ERROR cannot download https://localhost:1/x\.msu: '
    @(Get-ChildItem -Name "$Tmp/u5/ssu").Count | Should -Be 0
  }
}
