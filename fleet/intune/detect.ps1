# sxsfix detection (Intune Remediations; ConfigMgr configuration item discovery).
# sxsfix decides; this script finds sxsfix.exe, runs it and passes its one line and exit code through:
# exit 1 damaged or suspected (remediate), 0 healthy, 0 unknown (sxsfix exit 5: a repair cannot help; the line says why).
$Engine = 'Intune'   # 'ConfigMgr': always exit 0, the line is the value the compliance rules read
$exe = @("$PSScriptRoot\sxsfix.exe", "$env:ProgramW6432\sxsfix\sxsfix.exe", "$env:ProgramFiles\sxsfix\sxsfix.exe") | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
if (-not $exe) { Write-Output "ERROR sxsfix.exe not found (beside this script or in Program Files\sxsfix)"; exit 0 }
[Console]::OutputEncoding = [Text.Encoding]::UTF8
$line = & $exe --summary diagnose
$code = $LASTEXITCODE
Write-Output $line
if ($Engine -eq 'ConfigMgr' -or $code -eq 5) { exit 0 }
exit $code
