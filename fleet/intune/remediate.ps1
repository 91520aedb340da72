# sxsfix remediation (Intune Remediations; ConfigMgr configuration item remediation).
# sxsfix decides; this script finds sxsfix.exe, runs the repair from the update folder, keeps its --json in a private
# folder and passes its one line (at most 2,048 characters) and exit code through: 0 repaired or nothing to do,
# 3010 repaired (a restart completes it), anything else failed (the line says why; 3 when sxsfix.exe is missing).
param(
  [string]$Ssu = '\\fileserver\updates\ssu', # a folder of .msu/.cab servicing stack updates (share or local cache), or one file
  [string]$Exe = '',                      # sxsfix.exe; default: beside this script, then Program Files\sxsfix
  [string]$WorkDir = '',                  # private folder for repair.json; default: ProgramData\sxsfix\intune
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
if (-not $Exe) {
  $Exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") |
    Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
}
if (-not $Exe -or -not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
  Out-Line "ERROR sxsfix.exe not found ($(if ($Exe) { $Exe } else { 'beside this script or in Program Files\sxsfix' })): nothing repaired" 3
}
if (-not $WorkDir) { $WorkDir = Join-Path $env:ProgramData 'sxsfix\intune' }
# private: only SYSTEM and Administrators (ProgramData lets Users create files), or only the owner elsewhere
if (-not (Test-Path -LiteralPath $WorkDir)) { New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null }
if ($onWindows) { & icacls.exe $WorkDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null }
else { & chmod 700 $WorkDir }
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$errFile = Join-Path $WorkDir 'repair.err'
$repairArgs = @('--ssu', $Ssu, '--apply')
if ($Trust) { $repairArgs += @('--trust', $Trust) }
$line = (& $Exe @Arguments --summary --json (Join-Path $WorkDir 'repair.json') repair @repairArgs 2>$errFile | Out-String).Trim()
$code = $LASTEXITCODE
if (-not $line) { $line = "ERROR sxsfix exited ${code}: " + ((Get-Content -LiteralPath $errFile -ErrorAction SilentlyContinue | Select-Object -First 1) -join '') }
Out-Line $line $code
