# sxsfix detection method for a Configuration Manager Application (deployment type "sxsfix repair", a script
# installer running sxsfix repair). ConfigMgr's rules for a detection script: exit 0 with something on stdout is
# "installed"; exit 0 with no output at all is "not installed" (the installer runs); a non-zero exit is a detection
# failure. Here "installed" means the servicing stack needs no repair:
#   healthy (sxsfix 0)                      -> the HEALTHY line, exit 0: installed, nothing to run
#   damaged or suspected (sxsfix 1)         -> no output, exit 0: not installed, the repair runs
#   unknown (sxsfix 5), sxsfix could not run, sxsfix.exe missing
#                                           -> the reason on stderr, exit 1 (or sxsfix's code): a detection failure,
#                                              so the console shows it instead of running a repair that cannot help
param(
  [string]$Exe = '',                      # sxsfix.exe; default: beside this script, then Program Files\sxsfix
  [string]$WorkDir = '',                  # private folder for diagnose.json; default: ProgramData\sxsfix\configmgr
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Arguments = @()              # the rest: sxsfix's global options before the command, e.g. --root D:\
)
$Cap = 2048
function Stop-Detection([string]$Text, [int]$Code) { [Console]::Error.WriteLine($Text); exit $Code }
$onWindows = $env:OS -eq 'Windows_NT'
if (-not $Exe) {
  $Exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") |
    Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
}
if (-not $Exe -or -not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
  Stop-Detection "ERROR sxsfix.exe not found ($(if ($Exe) { $Exe } else { 'beside this script or in Program Files\sxsfix' })): cannot tell whether the servicing stack is healthy" 1
}
if (-not $WorkDir) { $WorkDir = Join-Path $env:ProgramData 'sxsfix\configmgr' }
# private: only SYSTEM and Administrators (ProgramData lets Users create files), or only the owner elsewhere
if (-not (Test-Path -LiteralPath $WorkDir)) { New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null }
if ($onWindows) { & icacls.exe $WorkDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null }
else { & chmod 700 $WorkDir }
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$errFile = Join-Path $WorkDir 'detection.err'
$line = (& $Exe @Arguments --summary --json (Join-Path $WorkDir 'detection.json') diagnose 2>$errFile | Out-String).Trim()
$code = $LASTEXITCODE
if ($code -eq 1) { exit 0 }             # damaged or suspected: not installed, nothing on any stream
if ($code -ne 0 -or -not $line) {
  $why = (Get-Content -LiteralPath $errFile -ErrorAction SilentlyContinue | Select-Object -First 1) -join ''
  Stop-Detection "ERROR sxsfix exited ${code}: $(if ($line) { $line } else { $why })" $(if ($code) { $code } else { 1 })
}
if ($line.Length -gt $Cap) { $line = $line.Substring(0, $Cap - 3) + '...' }
Write-Output $line
exit 0
