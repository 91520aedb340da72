# sxsfix remediation for a Configuration Manager configuration item (the setting's remediation script; runs when
# the discovery value is noncompliant). Same rules as fleet/intune/remediate.ps1.
# sxsfix decides; this script finds sxsfix.exe, runs the repair from the update folder, keeps its --json in a private
# folder and passes its one line (at most 2,048 characters) and exit code through: 0 repaired or nothing to do,
# 3010 repaired (a restart completes it), anything else failed (the line says why; 3 when sxsfix.exe is missing).
# Why, for the admin: remediate.log in the same folder (this script's steps and sxsfix's own --log of the run).
param(
  [string]$Ssu = '\\fileserver\updates\ssu', # a folder of .msu/.cab servicing stack updates (share or local cache), or one file
  [string]$Exe = '',                      # sxsfix.exe; default: beside this script, then Program Files\sxsfix
  [string]$WorkDir = '',                  # private folder for repair.json and remediate.log; default: ProgramData\sxsfix\configmgr
  [string]$ResultsKey = 'HKLM:\SOFTWARE\sxsfix\Results', # where inventory reads the last result ('' = not written)
  [string]$Trust = '',                    # a .pem of extra CA roots for the updates' signatures (sxsfix --trust)
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
if (-not $WorkDir) { $WorkDir = Join-Path $env:ProgramData 'sxsfix\configmgr' }
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
