# sxsfix detection (Intune Remediations; ConfigMgr configuration item discovery).
# sxsfix decides; this script finds sxsfix.exe, runs it, keeps its --json in a private folder and passes its one line
# (at most 2,048 characters, Intune's cap) and its verdict through as Intune reads exit codes:
# exit 1 damaged, suspected or could not run (remediate; never "healthy" when sxsfix.exe is missing),
# 0 healthy, 0 unknown (sxsfix exit 5: a repair cannot help; the line says why).
param(
  [string]$Exe = '',                      # sxsfix.exe; default: beside this script, then Program Files\sxsfix
  [string]$WorkDir = '',                  # private folder for diagnose.json; default: ProgramData\sxsfix\intune
  [string]$ResultsKey = 'HKLM:\SOFTWARE\sxsfix\Results', # where inventory reads the last result ('' = not written)
  [ValidateSet('Intune', 'ConfigMgr')]
  [string]$Engine = 'Intune',             # 'ConfigMgr': always exit 0, the line is the value the compliance rules read
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Arguments = @()              # the rest: sxsfix's global options before the command, e.g. --root D:\
)
$Cap = 2048
function Out-Line([string]$Text, [int]$Code) {
  if ($Text.Length -gt $Cap) { $Text = $Text.Substring(0, $Cap - 3) + '...' }
  Write-Output $Text
  if ($Engine -eq 'ConfigMgr') { exit 0 }
  exit $Code
}
$onWindows = $env:OS -eq 'Windows_NT'
if (-not $Exe) {
  $Exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") |
    Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
}
if (-not $Exe -or -not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
  Out-Line "ERROR sxsfix.exe not found ($(if ($Exe) { $Exe } else { 'beside this script or in Program Files\sxsfix' })): cannot tell whether the servicing stack is healthy" 1
}
if (-not $WorkDir) { $WorkDir = Join-Path $env:ProgramData 'sxsfix\intune' }
# private: only SYSTEM and Administrators (ProgramData lets Users create files), or only the owner elsewhere
if (-not (Test-Path -LiteralPath $WorkDir)) { New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null }
if ($onWindows) { & icacls.exe $WorkDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null }
else { & chmod 700 $WorkDir }
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$errFile = Join-Path $WorkDir 'diagnose.err'
$json = Join-Path $WorkDir 'diagnose.json'
Remove-Item -LiteralPath $json -ErrorAction SilentlyContinue  # never a stale result
$line = (& $Exe @Arguments --summary --json $json diagnose 2>$errFile | Out-String).Trim()
$code = $LASTEXITCODE
if (-not $line) { $line = "ERROR sxsfix exited ${code}: " + ((Get-Content -LiteralPath $errFile -ErrorAction SilentlyContinue | Select-Object -First 1) -join '') }
# the last result where inventory looks (HKLM\SOFTWARE\sxsfix\Results, as SetupDiag's ...\SetupDiag\Results)
if ($onWindows -and $ResultsKey -and (Test-Path -LiteralPath $json)) {
  $r = Get-Content -Raw -LiteralPath $json | ConvertFrom-Json
  if (-not (Test-Path -LiteralPath $ResultsKey)) { New-Item -Path $ResultsKey -Force | Out-Null }
  foreach ($v in @(@('Command', $r.command), @('Verdict', $r.verdict), @('Status', $r.repair.status), @('Summary', $line), @('Time', $r.time))) {
    New-ItemProperty -LiteralPath $ResultsKey -Name $v[0] -Value ([string]$v[1]) -PropertyType String -Force | Out-Null
  }
  New-ItemProperty -LiteralPath $ResultsKey -Name 'ExitCode' -Value $code -PropertyType DWord -Force | Out-Null
}
if ($code -eq 0 -or $code -eq 5) { Out-Line $line 0 }
Out-Line $line 1
