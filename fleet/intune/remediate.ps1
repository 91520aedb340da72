# sxsfix remediation (Intune Remediations; ConfigMgr configuration item remediation).
# sxsfix decides; this script finds sxsfix.exe, runs the repair from the update share and passes its line and exit code
# through: 0 repaired or nothing to do, 3010 repaired (a restart completes it), anything else failed (the line says why).
$Ssu = '\\fileserver\updates\ssu'   # a folder of .msu/.cab servicing stack updates (share or local cache), or one file
$exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
if (-not $exe) { Write-Output "ERROR sxsfix.exe not found (beside this script or in Program Files\sxsfix)"; exit 3 }
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$line = & $exe --summary repair --ssu $Ssu --apply
$code = $LASTEXITCODE
Write-Output $line
exit $code
