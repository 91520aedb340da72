# sxsfix for Configuration Manager Run Scripts (Software Library > Scripts; run on a collection).
# sxsfix decides; this script runs its diagnosis and prints ONE line of JSON, which the console's Script Status
# shows per device and parses into columns: {"computer","verdict","exit_code","summary","time","build"}. The line is
# kept under 4,000 bytes of UTF-8 (Run Scripts keeps at most 4 KB of a script's output): the summary is shortened
# first, never the JSON. Exit code: sxsfix's (0 healthy, 1 damaged or suspected, 5 unknown, 3 or 4 it could not run);
# 3 with verdict "error" when sxsfix.exe is missing. The full --json stays in a private folder on the device.
param(
  [string]$Exe = '',                      # sxsfix.exe; default: beside this script, then Program Files\sxsfix
  [string]$WorkDir = '',                  # private folder for diagnose.json; default: ProgramData\sxsfix\configmgr
  [string]$ResultsKey = 'HKLM:\SOFTWARE\sxsfix\Results', # where inventory reads the last result ('' = not written)
  [Parameter(ValueFromRemainingArguments = $true)]
  [string[]]$Arguments = @()              # the rest: sxsfix's global options before the command, e.g. --root D:\
)
$Limit = 4000
function Out-Json([Collections.IDictionary]$Fields, [int]$Code) {
  $full = [string]$Fields.summary
  $n = $full.Length
  while ($true) {
    $Fields.summary = if ($n -lt $full.Length) { $full.Substring(0, [Math]::Max(0, $n)) + '...' } else { $full }
    $text = $Fields | ConvertTo-Json -Compress
    $over = [Text.Encoding]::UTF8.GetByteCount($text) - $Limit
    if ($over -le 0 -or $n -le 0) { break }
    $n -= [Math]::Max(1, [Math]::Ceiling($over / 3)) + $(if ($n -eq $full.Length) { 3 } else { 0 })
  }
  Write-Output $text
  exit $Code
}
$onWindows = $env:OS -eq 'Windows_NT'
if (-not $Exe) {
  $Exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") |
    Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
}
if (-not $Exe -or -not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
  $where = if ($Exe) { $Exe } else { 'beside this script or in Program Files\sxsfix' }
  Out-Json ([ordered]@{ computer = [Environment]::MachineName; verdict = 'error'; exit_code = 3
              summary = "ERROR sxsfix.exe not found (${where}): cannot tell whether the servicing stack is healthy" }) 3
}
if (-not $WorkDir) { $WorkDir = Join-Path $env:ProgramData 'sxsfix\configmgr' }
# private: only SYSTEM and Administrators (ProgramData lets Users create files), or only the owner elsewhere
if (-not (Test-Path -LiteralPath $WorkDir)) { New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null }
if ($onWindows) { & icacls.exe $WorkDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null }
else { & chmod 700 $WorkDir }
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$json = Join-Path $WorkDir 'diagnose.json'
$errFile = Join-Path $WorkDir 'diagnose.err'
Remove-Item -LiteralPath $json -ErrorAction SilentlyContinue
$line = (& $Exe @Arguments --summary --json $json diagnose 2>$errFile | Out-String).Trim()
$code = $LASTEXITCODE
$r = if (Test-Path -LiteralPath $json) { Get-Content -Raw -LiteralPath $json | ConvertFrom-Json } else { $null }
if (-not $line) { $line = "ERROR sxsfix exited ${code}: " + ((Get-Content -LiteralPath $errFile -ErrorAction SilentlyContinue | Select-Object -First 1) -join '') }
# the last result where inventory looks (HKLM\SOFTWARE\sxsfix\Results, as SetupDiag's ...\SetupDiag\Results)
if ($onWindows -and $ResultsKey -and $r) {
  if (-not (Test-Path -LiteralPath $ResultsKey)) { New-Item -Path $ResultsKey -Force | Out-Null }
  foreach ($v in @(@('Command', $r.command), @('Verdict', $r.verdict), @('Status', $r.repair.status), @('Summary', $line), @('Time', $r.time))) {
    New-ItemProperty -LiteralPath $ResultsKey -Name $v[0] -Value ([string]$v[1]) -PropertyType String -Force | Out-Null
  }
  New-ItemProperty -LiteralPath $ResultsKey -Name 'ExitCode' -Value $code -PropertyType DWord -Force | Out-Null
}
$build = if ($r -and $r.system.build) { "$($r.system.build).$($r.system.ubr)" } else { '' }
Out-Json ([ordered]@{ computer = $(if ($r -and $r.system.computer_name) { $r.system.computer_name } else { [Environment]::MachineName })
            verdict = $(if ($r -and $r.verdict) { $r.verdict } else { 'error' }); exit_code = $code
            summary = $line; time = $(if ($r) { $r.time } else { '' }); build = $build }) $code
