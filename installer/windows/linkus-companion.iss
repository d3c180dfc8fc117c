; Inno Setup 6 script: per-user (default, no UAC) or per-machine install of the PyInstaller folder.
;   iscc /DSourceDir=..\..\dist\linkus-companion /DPolicyDir=..\..\dist\policy installer\windows\linkus-companion.iss
; Silent installs:
;   per user:     LinkusCompanionSetup.exe /VERYSILENT /CURRENTUSER
;   all users:    LinkusCompanionSetup.exe /VERYSILENT /ALLUSERS /TASKS="telhandler,browserhost,startatlogin"
;   with an admin default (per machine only, written as a *recommended* policy the user may change):
;                 LinkusCompanionSetup.exe /VERYSILENT /ALLUSERS /PBXURL=https://pbx.example.com:8088 /CRM=hubspot
; Locked settings belong in Group Policy (ADMX, installed under {app}\policy-templates) or managed JSON.

#define AppName "Linkus Companion"
#define AppId "linkus-companion"
#define AppExe "Linkus Companion.exe"
#define ProgId "LinkusCompanion.Dial"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\linkus-companion"
#endif
#ifndef PolicyDir
  #define PolicyDir "..\..\dist\policy"
#endif

[Setup]
AppId={{6B0E8E57-5C1B-4E43-9A55-2E1C0F7B8C21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default; the user or an admin may choose all users (dialog, /ALLUSERS, /CURRENTUSER).
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=LinkusCompanionSetup-{#AppVersion}
SetupIconFile=..\..\build\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
ChangesAssociations=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "telhandler"; Description: "Dial tel: and callto: links with {#AppName}"; GroupDescription: "Integration:"
Name: "browserhost"; Description: "Click to call from CRM pages in Chrome, Edge and Firefox (browser extension)"; GroupDescription: "Integration:"
Name: "startatlogin"; Description: "Start {#AppName} when I log in"; GroupDescription: "Integration:"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#PolicyDir}\*"; DestDir: "{app}\policy-templates"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; tel:/callto: handler, the same keys the app writes itself (platform/url_handler.py), in HKCU for a
; per-user install and HKLM for all users (HKA). Windows still lets the user pick the default app.
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueData: "{#AppName} phone number"; Flags: uninsdeletekey; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueData: """{app}\{#AppExe}"",0"; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueData: """{app}\{#AppExe}"" ""dial"" ""%1"""; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueData: "URL:tel"; Flags: uninsdeletekey; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\tel\DefaultIcon"; ValueType: string; ValueData: """{app}\{#AppExe}"",0"; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\tel\shell\open\command"; ValueType: string; ValueData: """{app}\{#AppExe}"" ""dial"" ""%1"""; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\callto"; ValueType: string; ValueData: "URL:callto"; Flags: uninsdeletekey; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\callto"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\callto\DefaultIcon"; ValueType: string; ValueData: """{app}\{#AppExe}"",0"; Tasks: telhandler
Root: HKA; Subkey: "Software\Classes\callto\shell\open\command"; ValueType: string; ValueData: """{app}\{#AppExe}"" ""dial"" ""%1"""; Tasks: telhandler
Root: HKA; Subkey: "Software\{#AppName}\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"; Flags: uninsdeletekey; Tasks: telhandler
Root: HKA; Subkey: "Software\{#AppName}\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Dial phone numbers from your PBX extension"; Tasks: telhandler
Root: HKA; Subkey: "Software\{#AppName}\Capabilities\URLAssociations"; ValueType: string; ValueName: "tel"; ValueData: "{#ProgId}"; Tasks: telhandler
Root: HKA; Subkey: "Software\{#AppName}\Capabilities\URLAssociations"; ValueType: string; ValueName: "callto"; ValueData: "{#ProgId}"; Tasks: telhandler
Root: HKA; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "{#AppName}"; ValueData: "Software\{#AppName}\Capabilities"; Flags: uninsdeletevalue; Tasks: telhandler
; Start at login: the Run value the app's own setting manages (HKCU), or HKLM for every user.
Root: HKA; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExe}"" ""--autostart"""; Flags: uninsdeletevalue; Tasks: startatlogin
; Admin defaults from the command line (per-machine installs only; users cannot write policy keys).
Root: HKLM; Subkey: "SOFTWARE\Policies\{#AppName}\Recommended"; ValueType: string; ValueName: "pbx.url"; ValueData: "{param:PBXURL}"; Check: IsAdminInstallMode and HasParam('PBXURL')
Root: HKLM; Subkey: "SOFTWARE\Policies\{#AppName}\Recommended"; ValueType: string; ValueName: "crm.kind"; ValueData: "{param:CRM}"; Check: IsAdminInstallMode and HasParam('CRM')

[Run]
; The native messaging host for the browser extension: HKLM and %ProgramData% for every user, else HKCU.
Filename: "{app}\{#AppExe}"; Parameters: "browser-extension install --all-users"; Flags: runhidden waituntilterminated; Tasks: browserhost; Check: IsAdminInstallMode
Filename: "{app}\{#AppExe}"; Parameters: "browser-extension install"; Flags: runhidden waituntilterminated; Tasks: browserhost; Check: not IsAdminInstallMode
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
Filename: "{app}\{#AppExe}"; Parameters: "browser-extension uninstall --all-users"; Flags: runhidden waituntilterminated; RunOnceId: "BrowserHostMachine"; Check: IsAdminInstallMode
Filename: "{app}\{#AppExe}"; Parameters: "browser-extension uninstall"; Flags: runhidden waituntilterminated; RunOnceId: "BrowserHostUser"; Check: not IsAdminInstallMode

[Code]
function HasParam(Name: String): Boolean;
begin
  Result := ExpandConstant('{param:' + Name + '|}') <> '';
end;
