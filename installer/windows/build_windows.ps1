# Build the Windows onedir app, smoke-test it offscreen, generate the policy templates, then the installer.
#   powershell -File installer\windows\build_windows.ps1            (Inno Setup 6's iscc on PATH)
# Signing (optional): set SIGNTOOL_CERT_SHA1 to sign both executables and the installer with signtool.
$ErrorActionPreference = "Stop"
$Root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $Root
$Python = if ($env:PYTHON) { $env:PYTHON } else { "python" }

& $Python installer\make_icons.py build\icons | Out-Null
& $Python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\linkus-companion.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$App = "dist\linkus-companion"
$Cli = "$App\linkus-companion.exe"
$Scratch = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid())) -Force
$env:QT_QPA_PLATFORM = "offscreen"
$env:PYTHON_KEYRING_BACKEND = "keyring.backends.null.Keyring"
$env:LINKUS_COMPANION_HOME = "$Scratch\home"
& $Cli --version
& $Cli admin templates --out dist\policy | Out-Null
if ($LASTEXITCODE -ne 0) { throw "policy templates failed" }
$Watch = [Diagnostics.Stopwatch]::StartNew()
& $Cli run --smoke-test
if ($LASTEXITCODE -ne 0) { throw "smoke test failed" }
$Size = (Get-ChildItem $App -Recurse | Measure-Object Length -Sum).Sum
Write-Host ("built {0}: {1:N0} MB; smoke test passed in {2:N2} s" -f $App, ($Size / 1MB), $Watch.Elapsed.TotalSeconds)

if ($env:SIGNTOOL_CERT_SHA1) {
    signtool sign /sha1 $env:SIGNTOOL_CERT_SHA1 /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 "$App\Linkus Companion.exe" $Cli
}
$Version = (& $Python -c "import linkus_companion; print(linkus_companion.__version__)")
iscc /DAppVersion=$Version installer\windows\linkus-companion.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
if ($env:SIGNTOOL_CERT_SHA1) {
    signtool sign /sha1 $env:SIGNTOOL_CERT_SHA1 /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 "dist\LinkusCompanionSetup-$Version.exe"
}
