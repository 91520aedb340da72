# sxsfix discovery for a Configuration Manager configuration item (setting type Script, data type String).
# ConfigMgr evaluates the output of a discovery script that exits 0 and counts a non-zero exit as a discovery
# failure, so: sxsfix's one line (at most 2,048 characters) is the value the compliance rules compare, exit 0, for
# every verdict sxsfix could reach (HEALTHY, SUSPECTED, DAMAGED, UNKNOWN ... the line says why). When sxsfix.exe is
# missing or sxsfix could not run (bad arguments, internal error), nothing is printed, the reason goes to stderr and
# the exit is non-zero (1 missing, else sxsfix's code): a discovery error, never a compliant value.
param(
  [string]$Exe = '',                      # sxsfix.exe; default: beside this script, then Program Files\sxsfix
  [string]$WorkDir = '',                  # private folder for diagnose.json; default: ProgramData\sxsfix\configmgr
  [string]$ResultsKey = 'HKLM:\SOFTWARE\sxsfix\Results', # where inventory reads the last result ('' = not written)
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Arguments = @()              # the rest: sxsfix's global options before the command, e.g. --root D:\
)
$Cap = 2048
function Stop-Discovery([string]$Text, [int]$Code) { [Console]::Error.WriteLine($Text); exit $Code }
$onWindows = $env:OS -eq 'Windows_NT'
if (-not $Exe) {
  $Exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") |
    Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
}
if (-not $Exe -or -not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
  Stop-Discovery "ERROR sxsfix.exe not found ($(if ($Exe) { $Exe } else { 'beside this script or in Program Files\sxsfix' })): cannot tell whether the servicing stack is healthy" 1
}
if (-not $WorkDir) { $WorkDir = Join-Path $env:ProgramData 'sxsfix\configmgr' }
# private: only SYSTEM and Administrators (ProgramData lets Users create files), or only the owner elsewhere
if (-not (Test-Path -LiteralPath $WorkDir)) { New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null }
if ($onWindows) { & icacls.exe $WorkDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null }
else { & chmod 700 $WorkDir }
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$json = Join-Path $WorkDir 'diagnose.json'
Remove-Item -LiteralPath $json -ErrorAction SilentlyContinue  # never a stale result
$errFile = Join-Path $WorkDir 'diagnose.err'
$line = (& $Exe @Arguments --summary --json $json diagnose 2>$errFile | Out-String).Trim()
$code = $LASTEXITCODE
if ($code -notin @(0, 1, 5) -or -not $line) {
  $why = (Get-Content -LiteralPath $errFile -ErrorAction SilentlyContinue | Select-Object -First 1) -join ''
  Stop-Discovery "ERROR sxsfix exited ${code}: $(if ($why) { $why } else { $line })" $(if ($code) { $code } else { 1 })
}
# the last result where inventory looks (HKLM\SOFTWARE\sxsfix\Results, as SetupDiag's ...\SetupDiag\Results)
if ($onWindows -and $ResultsKey -and (Test-Path -LiteralPath $json)) {
  $r = Get-Content -Raw -LiteralPath $json | ConvertFrom-Json
  if (-not (Test-Path -LiteralPath $ResultsKey)) { New-Item -Path $ResultsKey -Force | Out-Null }
  foreach ($v in @(@('Command', $r.command), @('Verdict', $r.verdict), @('Status', $r.repair.status), @('Summary', $line), @('Time', $r.time))) {
    New-ItemProperty -LiteralPath $ResultsKey -Name $v[0] -Value ([string]$v[1]) -PropertyType String -Force | Out-Null
  }
  New-ItemProperty -LiteralPath $ResultsKey -Name 'ExitCode' -Value $code -PropertyType DWord -Force | Out-Null
}
if ($line.Length -gt $Cap) { $line = $line.Substring(0, $Cap - 3) + '...' }
Write-Output $line
exit 0
