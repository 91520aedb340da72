# sxsfix remediation (Intune Remediations).
# sxsfix decides; this script finds sxsfix.exe, runs the repair from the update folder, keeps its --json in a private
# folder and passes its one line (at most 2,048 characters) and exit code through: 0 repaired or nothing to do,
# 3010 repaired (a restart completes it), anything else failed (the line says why; 3 when sxsfix.exe is missing).
# Why, for the admin: remediate.log in the same folder (this script's steps and sxsfix's own --log of the run).
param(
  [string]$Ssu = '\\fileserver\updates\ssu', # a folder of .msu/.cab servicing stack updates (share or local cache), or one file
  [string]$Exe = '',                      # sxsfix.exe; default: beside this script, then Program Files\sxsfix
  [string]$WorkDir = '',                  # private folder for repair.json and remediate.log; default: ProgramData\sxsfix\intune
  [string]$ResultsKey = 'HKLM:\SOFTWARE\sxsfix\Results', # where inventory reads the last result ('' = not written)
  [string]$Trust = '',                    # a .pem of extra CA roots for the updates' signatures (sxsfix --trust)
  [string]$SsuUrl = '',                   # instead of -Ssu: https:// URL of one .msu/.cab (SYSTEM cannot read a share)
  [string]$SsuSha256 = '',                # with -SsuUrl: its SHA-256, checked before use (then sxsfix checks the signature)
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Arguments = @()              # the rest: sxsfix's global options before the command, e.g. --root D:\
)
$Cap = 2048
function Out-Line([string]$Text, [int]$Code) {
  if ($Text.Length -gt $Cap) { $Text = $Text.Substring(0, $Cap - 3) + '...' }
  Write-Output $Text
  exit $Code
}
$onWindows = $env:OS -eq 'Windows_NT'
if (-not $WorkDir) { $WorkDir = Join-Path $env:ProgramData 'sxsfix\intune' }
# private: only SYSTEM and Administrators (ProgramData lets Users create files), or only the owner elsewhere
if (-not (Test-Path -LiteralPath $WorkDir)) { New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null }
if ($onWindows) { & icacls.exe $WorkDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null }
else { & chmod 700 $WorkDir }
$log = Join-Path $WorkDir 'remediate.log'
function Write-Log([string]$Text) { Add-Content -LiteralPath $log -Value "$((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')) remediate.ps1: $Text" }
if (-not $Exe) {
  $Exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") |
    Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
}
if (-not $Exe -or -not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
  Write-Log "sxsfix.exe not found ($Exe)"
  Out-Line "ERROR sxsfix.exe not found ($(if ($Exe) { $Exe } else { 'beside this script or in Program Files\sxsfix' })): nothing repaired" 3
}
if ($SsuUrl) {
  # The update over HTTPS (an Entra-joined device whose SYSTEM account cannot read a share), into the private
  # folder, used only when its SHA-256 is the one given; sxsfix then checks its signature as for any update.
  $name = try { [IO.Path]::GetFileName(([uri]$SsuUrl).AbsolutePath) } catch { '' }
  if (-not $SsuUrl.StartsWith('https://', 'OrdinalIgnoreCase') -or $name -notmatch '^[A-Za-z0-9._-]+\.(msu|cab)$' -or
      $SsuSha256 -notmatch '^[0-9A-Fa-f]{64}$') {
    Write-Log "refused -SsuUrl '$SsuUrl' -SsuSha256 '$SsuSha256'"
    Out-Line "ERROR -SsuUrl needs an https:// URL of one .msu or .cab and -SsuSha256 its SHA-256 (64 hex digits): nothing repaired" 3
  }
  $dl = Join-Path $WorkDir 'ssu'
  if (-not (Test-Path -LiteralPath $dl)) { New-Item -ItemType Directory -Path $dl | Out-Null }  # inside the private folder
  $part = Join-Path $dl "$name.partial"
  Write-Log "download $SsuUrl"
  try { Invoke-WebRequest -Uri $SsuUrl -OutFile $part -UseBasicParsing -ErrorAction Stop }
  catch {
    Remove-Item -LiteralPath $part -ErrorAction SilentlyContinue
    Write-Log "download failed: $($_.Exception.Message)"
    Out-Line "ERROR cannot download ${SsuUrl}: $($_.Exception.Message): nothing repaired" 3
  }
  $hash = (Get-FileHash -LiteralPath $part -Algorithm SHA256).Hash
  if ($hash -ne $SsuSha256) {
    Remove-Item -LiteralPath $part
    Write-Log "SHA-256 mismatch: $hash"
    Out-Line "REFUSED ${name}: its SHA-256 is $hash, not the -SsuSha256 given: nothing repaired" 3
  }
  $Ssu = Join-Path $dl $name
  Move-Item -LiteralPath $part -Destination $Ssu -Force
}
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$errFile = Join-Path $WorkDir 'repair.err'
$repairArgs = @('--ssu', $Ssu, '--apply')
if ($Trust) { $repairArgs += @('--trust', $Trust) }
$json = Join-Path $WorkDir 'repair.json'
Remove-Item -LiteralPath $json -ErrorAction SilentlyContinue  # never a stale result
Write-Log "$Exe $($Arguments -join ' ') repair $($repairArgs -join ' ')"
$line = (& $Exe @Arguments --summary --log $log --json $json repair @repairArgs 2>$errFile | Out-String).Trim()
$code = $LASTEXITCODE
if (-not $line) { $line = "ERROR sxsfix exited ${code}: " + ((Get-Content -LiteralPath $errFile -ErrorAction SilentlyContinue | Select-Object -First 1) -join '') }
Write-Log "exit ${code}: $line"
# the last result where inventory looks (HKLM\SOFTWARE\sxsfix\Results, as SetupDiag's ...\SetupDiag\Results)
if ($onWindows -and $ResultsKey -and (Test-Path -LiteralPath $json)) {
  $r = Get-Content -Raw -LiteralPath $json | ConvertFrom-Json
  if (-not (Test-Path -LiteralPath $ResultsKey)) { New-Item -Path $ResultsKey -Force | Out-Null }
  foreach ($v in @(@('Command', $r.command), @('Verdict', $r.verdict), @('Status', $r.repair.status), @('Summary', $line), @('Time', $r.time))) {
    New-ItemProperty -LiteralPath $ResultsKey -Name $v[0] -Value ([string]$v[1]) -PropertyType String -Force | Out-Null
  }
  New-ItemProperty -LiteralPath $ResultsKey -Name 'ExitCode' -Value $code -PropertyType DWord -Force | Out-Null
}
Out-Line $line $code
