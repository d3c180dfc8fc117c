<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
    <context>
        <name>AddRecordDialog</name>
        <message>
            <source>the CRM</source>
            <translation>CRM</translation>
        </message>
        <message>
            <source>Add to CRM</source>
            <translation>添加到 CRM</translation>
        </message>
        <message>
            <source>Record type:</source>
            <translation>记录类型：</translation>
        </message>
        <message>
            <source>&amp;Contact</source>
            <translation>联系人(&amp;C)</translation>
        </message>
        <message>
            <source>L&amp;ead</source>
            <translation>线索(&amp;E)</translation>
        </message>
        <message>
            <source>%1 in %2</source>
            <translation>%2 中的%1</translation>
        </message>
        <message>
            <source>&amp;First name:</source>
            <translation>名(&amp;F)：</translation>
        </message>
        <message>
            <source>&amp;Last name:</source>
            <translation>姓(&amp;L)：</translation>
        </message>
        <message>
            <source>E-&amp;mail:</source>
            <translation>邮箱(&amp;M)：</translation>
        </message>
        <message>
            <source>C&amp;ompany:</source>
            <translation>公司(&amp;O)：</translation>
        </message>
        <message>
            <source>&amp;Number:</source>
            <translation>号码(&amp;N)：</translation>
        </message>
        <message>
            <source>No&amp;te:</source>
            <translation>备注(&amp;T)：</translation>
        </message>
        <message>
            <source>First or last name is required</source>
            <translation>名或姓至少填写一项</translation>
        </message>
        <message>
            <source>name@example.com</source>
            <translation>name@example.com</translation>
        </message>
        <message>
            <source>&amp;Open in %1</source>
            <translation>在 %1 中打开(&amp;O)</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>消息</translation>
        </message>
        <message>
            <source>Saving</source>
            <translation>正在保存</translation>
        </message>
        <message>
            <source>Enter a first name or a last name.</source>
            <translation>请输入名或姓。</translation>
        </message>
        <message>
            <source>Enter an e-mail address like name@example.com, or leave it empty.</source>
            <translation>请输入类似 name@example.com 的邮箱地址，或留空。</translation>
        </message>
        <message>
            <source>Enter the phone number with digits only, e.g. +1 555 0100.</source>
            <translation>请只用数字输入电话号码，例如 +1 555 0100。</translation>
        </message>
        <message>
            <source>This is an internal extension, not a customer's number.</source>
            <translation>这是内部分机号码，不是客户号码。</translation>
        </message>
        <message>
            <source>Shorten the note to at most %1 characters.</source>
            <translation>备注最多 %1 个字符，请缩短。</translation>
        </message>
        <message>
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation>未保存：%1</translation>
        </message>
        <message>
            <source>Try again</source>
            <translation>重试</translation>
        </message>
        <message>
            <source>Saved %1.</source>
            <translation>已保存 %1。</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
    </context>
    <context>
        <name>BrowserExtensionBox</name>
        <message>
            <source>Browser extension (click to call in CRM pages)</source>
            <translation>浏览器扩展（在 CRM 页面中一键呼叫）</translation>
        </message>
        <message>
            <source>1. Click Install the browser extension.</source>
            <translation>1. 点击“安装浏览器扩展”。</translation>
        </message>
        <message>
            <source>2. In Chrome or Edge, open the extensions page and turn on Developer mode.</source>
            <translation>2. 在 Chrome 或 Edge 中打开扩展程序页面，并开启开发者模式。</translation>
        </message>
        <message>
            <source>3. Choose Load unpacked and pick the extension folder (or your admin installs it).</source>
            <translation>3. 选择“加载已解压的扩展程序”并选中扩展文件夹（或由管理员为您安装）。</translation>
        </message>
        <message>
            <source>4. Open a contact in your CRM and click the call button beside a phone number.</source>
            <translation>4. 在 CRM 中打开联系人，点击电话号码旁的呼叫按钮。</translation>
        </message>
        <message>
            <source>&amp;Install the browser extension</source>
            <translation>安装浏览器扩展(&amp;I)</translation>
        </message>
        <message>
            <source>Register %1 with your browsers</source>
            <translation>在浏览器中注册 %1</translation>
        </message>
        <message>
            <source>Open the extension &amp;folder</source>
            <translation>打开扩展文件夹(&amp;F)</translation>
        </message>
        <message>
            <source>Could not register with the browsers: %1</source>
            <translation>无法在浏览器中注册：%1</translation>
        </message>
        <message>
            <source>Not installed yet: the browsers cannot reach %1 (%2).</source>
            <translation>尚未安装：浏览器无法连接 %1（%2）。</translation>
        </message>
        <message>
            <source>Installed for Chrome, Edge, Chromium and Firefox. Extension id: %1</source>
            <translation>已为 Chrome、Edge、Chromium 和 Firefox 安装。扩展 ID：%1</translation>
        </message>
    </context>
    <context>
        <name>CallCard</name>
        <message>
            <source>Incoming call</source>
            <translation>来电</translation>
        </message>
        <message>
            <source>Outgoing call</source>
            <translation>去电</translation>
        </message>
        <message>
            <source>Internal call</source>
            <translation>内部通话</translation>
        </message>
        <message>
            <source>gateway unreachable — state unknown</source>
            <translation>网关无法连接 — 状态未知</translation>
        </message>
        <message>
            <source>ringing</source>
            <translation>响铃中</translation>
        </message>
        <message>
            <source>talking</source>
            <translation>通话中</translation>
        </message>
        <message>
            <source>on hold</source>
            <translation>保持中</translation>
        </message>
        <message>
            <source>transferred to %1 (%2)</source>
            <translation>已转接至 %1（%2）</translation>
        </message>
        <message>
            <source>transferred to %1</source>
            <translation>已转接至 %1</translation>
        </message>
        <message>
            <source>missed</source>
            <translation>未接</translation>
        </message>
        <message>
            <source>no answer</source>
            <translation>无人接听</translation>
        </message>
        <message>
            <source>busy</source>
            <translation>忙线</translation>
        </message>
        <message>
            <source>voicemail</source>
            <translation>语音信箱</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>ended</source>
            <translation>已结束</translation>
        </message>
        <message>
            <source>Contact</source>
            <translation>联系人</translation>
        </message>
        <message>
            <source>Lead</source>
            <translation>线索</translation>
        </message>
        <message>
            <source>Company</source>
            <translation>公司</translation>
        </message>
        <message>
            <source>Connected</source>
            <translation>已接通</translation>
        </message>
        <message>
            <source>Left live message</source>
            <translation>已留言</translation>
        </message>
        <message>
            <source>Left voicemail</source>
            <translation>已留语音信箱</translation>
        </message>
        <message>
            <source>No answer</source>
            <translation>无人接听</translation>
        </message>
        <message>
            <source>Busy</source>
            <translation>忙线</translation>
        </message>
        <message>
            <source>Wrong number</source>
            <translation>号码错误</translation>
        </message>
        <message>
            <source>Interested</source>
            <translation>有意向</translation>
        </message>
        <message>
            <source>Not interested</source>
            <translation>无意向</translation>
        </message>
        <message>
            <source>Requested more info</source>
            <translation>需要更多信息</translation>
        </message>
        <message>
            <source>Requested call back</source>
            <translation>要求回电</translation>
        </message>
        <message>
            <source>Several records share this number. &amp;Choose one:</source>
            <translation>多条记录使用此号码。请选择(&amp;C)：</translation>
        </message>
        <message>
            <source>&amp;Use this record</source>
            <translation>使用此记录(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Open in CRM</source>
            <translation>在 CRM 中打开(&amp;O)</translation>
        </message>
        <message>
            <source>&amp;Add to CRM…</source>
            <translation>添加到 CRM(&amp;A)…</translation>
        </message>
        <message>
            <source>&amp;Retry lookup</source>
            <translation>重新查询(&amp;R)</translation>
        </message>
        <message>
            <source>Call &amp;back</source>
            <translation>回拨(&amp;B)</translation>
        </message>
        <message>
            <source>Dismiss</source>
            <translation>移除</translation>
        </message>
        <message>
            <source>Phone number</source>
            <translation>电话号码</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>时长</translation>
        </message>
        <message>
            <source>Matching records</source>
            <translation>匹配的记录</translation>
        </message>
        <message>
            <source>Use the selected record for this call</source>
            <translation>此通话使用所选记录</translation>
        </message>
        <message>
            <source>Open the caller's page in the CRM</source>
            <translation>在 CRM 中打开来电者页面</translation>
        </message>
        <message>
            <source>Add this number to the CRM</source>
            <translation>将此号码添加到 CRM</translation>
        </message>
        <message>
            <source>Look the number up in the CRM again</source>
            <translation>在 CRM 中重新查询此号码</translation>
        </message>
        <message>
            <source>Call this number back</source>
            <translation>回拨此号码</translation>
        </message>
        <message>
            <source>Remove this call from the panel</source>
            <translation>从面板移除此通话</translation>
        </message>
        <message>
            <source>Note for the call log</source>
            <translation>通话记录备注</translation>
        </message>
        <message>
            <source>Note for the CRM call log</source>
            <translation>CRM 通话记录备注</translation>
        </message>
        <message>
            <source>Call outcome</source>
            <translation>通话结果</translation>
        </message>
        <message>
            <source>&amp;Save note</source>
            <translation>保存备注(&amp;S)</translation>
        </message>
        <message>
            <source>Save the note into the CRM call log</source>
            <translation>将备注保存到 CRM 通话记录</translation>
        </message>
        <message>
            <source>Outcome: as the call went</source>
            <translation>结果：按通话实际情况</translation>
        </message>
        <message>
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <source>Saved for the call log.</source>
            <translation>已保存到通话记录。</translation>
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation>未保存：%1</translation>
        </message>
        <message>
            <source>Looking up %1…</source>
            <translation>正在查询 %1…</translation>
        </message>
        <message>
            <source>the CRM</source>
            <translation>CRM</translation>
        </message>
        <message>
            <source>%1 matching records</source>
            <translation>%1 条匹配记录</translation>
        </message>
        <message>
            <source>Not looked up</source>
            <translation>未能查询</translation>
        </message>
        <message>
            <source>Unknown caller</source>
            <translation>未知来电</translation>
        </message>
        <message>
            <source>Not in the CRM</source>
            <translation>不在 CRM 中</translation>
        </message>
        <message>
            <source>The CRM lookup failed: %1</source>
            <translation>CRM 查询失败：%1</translation>
        </message>
        <message>
            <source>Owner: %1</source>
            <translation>负责人：%1</translation>
        </message>
        <message>
            <source>Last updated %1</source>
            <translation>最后更新 %1</translation>
        </message>
    </context>
    <context>
        <name>CallPanel</name>
        <message>
            <source>Calls</source>
            <translation>通话</translation>
        </message>
        <message>
            <source>Dismiss &amp;all</source>
            <translation>全部移除(&amp;A)</translation>
        </message>
        <message>
            <source>Remove every ended call from the panel</source>
            <translation>从面板移除所有已结束的通话</translation>
        </message>
        <message>
            <source>Call panel</source>
            <translation>通话面板</translation>
        </message>
        <message>
            <source>Connection trouble</source>
            <translation>连接问题</translation>
        </message>
    </context>
    <context>
        <name>Choices</name>
        <message>
            <source>On this computer</source>
            <translation>在本机</translation>
        </message>
        <message>
            <source>On the site gateway</source>
            <translation>在站点网关</translation>
        </message>
        <message>
            <source>HubSpot</source>
            <translation>HubSpot</translation>
        </message>
        <message>
            <source>Salesforce</source>
            <translation>Salesforce</translation>
        </message>
        <message>
            <source>Zoho CRM</source>
            <translation>Zoho CRM</translation>
        </message>
        <message>
            <source>Auto</source>
            <translation>自动</translation>
        </message>
        <message>
            <source>Manual</source>
            <translation>手动</translation>
        </message>
        <message>
            <source>Ringing</source>
            <translation>响铃</translation>
        </message>
        <message>
            <source>Answered</source>
            <translation>应答</translation>
        </message>
        <message>
            <source>Call ended</source>
            <translation>通话结束</translation>
        </message>
        <message>
            <source>Contact</source>
            <translation>联系人</translation>
        </message>
        <message>
            <source>Lead</source>
            <translation>线索</translation>
        </message>
        <message>
            <source>Ask me</source>
            <translation>询问我</translation>
        </message>
        <message>
            <source>Module priority</source>
            <translation>模块优先级</translation>
        </message>
        <message>
            <source>Most recently updated</source>
            <translation>最近更新</translation>
        </message>
        <message>
            <source>Upload into the CRM</source>
            <translation>上传到 CRM</translation>
        </message>
        <message>
            <source>Link to the recording</source>
            <translation>录音链接</translation>
        </message>
        <message>
            <source>Contacts</source>
            <translation>联系人</translation>
        </message>
        <message>
            <source>Leads</source>
            <translation>线索</translation>
        </message>
        <message>
            <source>Accounts</source>
            <translation>客户</translation>
        </message>
        <message>
            <source>Companies</source>
            <translation>公司</translation>
        </message>
        <message>
            <source>Auto (incoming calls only)</source>
            <translation>自动（仅限来电）</translation>
        </message>
        <message>
            <source>Auto (upload on a desktop, link with a gateway)</source>
            <translation>自动（桌面端上传，网关端使用链接）</translation>
        </message>
        <message>
            <source>System language</source>
            <translation>跟随系统</translation>
        </message>
        <message>
            <source>In the interface language (自动新建联系人 in Chinese)</source>
            <translation>使用界面语言（中文为“自动新建联系人”）</translation>
        </message>
        <message>
            <source>Automatic New Contact (as in the manuals)</source>
            <translation>Automatic New Contact（与手册一致）</translation>
        </message>
    </context>
    <context>
        <name>ConnectionPage</name>
        <message>
            <source>Connect to the PBX</source>
            <translation>连接 PBX</translation>
        </message>
        <message>
            <source>&amp;Check</source>
            <translation>检查(&amp;C)</translation>
        </message>
        <message>
            <source>PBX &amp;address:</source>
            <translation>PBX 地址(&amp;A)：</translation>
        </message>
        <message>
            <source>API Client &amp;ID:</source>
            <translation>API 客户端 ID(&amp;I)：</translation>
        </message>
        <message>
            <source>API Client &amp;Secret:</source>
            <translation>API 客户端密钥(&amp;S)：</translation>
        </message>
        <message>
            <source>Your &amp;extension:</source>
            <translation>您的分机(&amp;E)：</translation>
        </message>
        <message>
            <source>Connect to the gateway</source>
            <translation>连接网关</translation>
        </message>
        <message>
            <source>Your administrator gives you the gateway's address.</source>
            <translation>网关地址由您的管理员提供。</translation>
        </message>
        <message>
            <source>Your administrator gives you the PBX address and the Open API Client ID and Secret.</source>
            <translation>PBX 地址以及 Open API 客户端 ID 和密钥由您的管理员提供。</translation>
        </message>
        <message>
            <source>Gateway &amp;address:</source>
            <translation>网关地址(&amp;A)：</translation>
        </message>
        <message>
            <source>Saved. It will be checked when the app connects.</source>
            <translation>已保存。应用连接时将进行检查。</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>正在检查…</translation>
        </message>
        <message>
            <source>Connected: %1</source>
            <translation>已连接：%1</translation>
        </message>
    </context>
    <context>
        <name>CrmPage</name>
        <message>
            <source>Sign in to your CRM</source>
            <translation>登录您的 CRM</translation>
        </message>
        <message>
            <source>Your browser opens the CRM's sign-in page. You can also do this later in the settings.</source>
            <translation>浏览器将打开 CRM 登录页面。您也可以稍后在设置中完成。</translation>
        </message>
        <message>
            <source>CRM</source>
            <translation>CRM</translation>
        </message>
        <message>
            <source>&amp;Sign in…</source>
            <translation>登录(&amp;S)…</translation>
        </message>
        <message>
            <source>&amp;CRM:</source>
            <translation>CRM(&amp;C)：</translation>
        </message>
        <message>
            <source>Waiting for the sign-in in your browser…</source>
            <translation>正在等待浏览器中的登录…</translation>
        </message>
        <message>
            <source>Signed in as %1</source>
            <translation>已登录为 %1</translation>
        </message>
    </context>
    <context>
        <name>FallbackWindow</name>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
    </context>
    <context>
        <name>FirstRunWizard</name>
        <message>
            <source>Set up %1</source>
            <translation>设置 %1</translation>
        </message>
    </context>
    <context>
        <name>History</name>
        <message>
            <source>Today %1</source>
            <translation>今天 %1</translation>
        </message>
        <message>
            <source>Yesterday %1</source>
            <translation>昨天 %1</translation>
        </message>
        <message>
            <source>Logged in %1</source>
            <translation>已记录到 %1</translation>
        </message>
        <message>
            <source>Waiting for %1</source>
            <translation>等待写入 %1</translation>
        </message>
        <message>
            <source>Refused by %1</source>
            <translation>被 %1 拒绝</translation>
        </message>
        <message>
            <source>Not logged</source>
            <translation>未记录</translation>
        </message>
        <message>
            <source>Logged by the site gateway</source>
            <translation>由站点网关记录</translation>
        </message>
        <message>
            <source>the CRM</source>
            <translation>CRM</translation>
        </message>
        <message>
            <source>%1 matching records</source>
            <translation>%1 条匹配记录</translation>
        </message>
        <message>
            <source>Not looked up (CRM unreachable)</source>
            <translation>未能查询（无法连接 CRM）</translation>
        </message>
        <message>
            <source>No CRM record</source>
            <translation>无 CRM 记录</translation>
        </message>
        <message>
            <source>Call history</source>
            <translation>通话历史</translation>
        </message>
        <message>
            <source>&amp;Search:</source>
            <translation>搜索(&amp;S)：</translation>
        </message>
        <message>
            <source>Name or number</source>
            <translation>姓名或号码</translation>
        </message>
        <message>
            <source>Search calls by name or number</source>
            <translation>按姓名或号码搜索通话</translation>
        </message>
        <message>
            <source>Calls</source>
            <translation>通话</translation>
        </message>
        <message>
            <source>Date and time</source>
            <translation>日期和时间</translation>
        </message>
        <message>
            <source>Call</source>
            <translation>通话</translation>
        </message>
        <message>
            <source>Number</source>
            <translation>号码</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>时长</translation>
        </message>
        <message>
            <source>CRM call log</source>
            <translation>CRM 通话记录</translation>
        </message>
        <message>
            <source>&amp;Call back</source>
            <translation>回拨(&amp;C)</translation>
        </message>
        <message>
            <source>&amp;Open in CRM</source>
            <translation>在 CRM 中打开(&amp;O)</translation>
        </message>
        <message>
            <source>&amp;Add to CRM</source>
            <translation>添加到 CRM(&amp;A)</translation>
        </message>
        <message>
            <source>Edit &amp;note…</source>
            <translation>编辑备注(&amp;N)…</translation>
        </message>
        <message>
            <source>No call matches the search.</source>
            <translation>没有符合搜索条件的通话。</translation>
        </message>
        <message>
            <source>No calls in the last %1 days.</source>
            <translation>最近 %1 天没有通话。</translation>
        </message>
        <message>
            <source>Note for the call log</source>
            <translation>通话记录备注</translation>
        </message>
        <message>
            <source>The note is added to this call's log in %1:</source>
            <translation>备注将添加到 %1 中此通话的记录：</translation>
        </message>
    </context>
    <context>
        <name>Notifications</name>
        <message>
            <source>Incoming call: %1</source>
            <translation>来电：%1</translation>
        </message>
        <message>
            <source>%1 matching records</source>
            <translation>%1 条匹配记录</translation>
        </message>
        <message>
            <source>CRM lookup failed: %1</source>
            <translation>CRM 查询失败：%1</translation>
        </message>
        <message>
            <source>Unknown caller</source>
            <translation>未知来电</translation>
        </message>
    </context>
    <context>
        <name>SettingField</name>
        <message>
            <source>Extension</source>
            <translation>分机</translation>
        </message>
        <message>
            <source>CRM user ID</source>
            <translation>CRM 用户 ID</translation>
        </message>
        <message>
            <source>&amp;Add row</source>
            <translation>添加行(&amp;A)</translation>
        </message>
        <message>
            <source>Re&amp;move row</source>
            <translation>删除行(&amp;M)</translation>
        </message>
        <message>
            <source>Move &amp;up</source>
            <translation>上移(&amp;U)</translation>
        </message>
        <message>
            <source>Move d&amp;own</source>
            <translation>下移(&amp;O)</translation>
        </message>
        <message>
            <source>Locked by your administrator (policy: %1)</source>
            <translation>已被管理员锁定（策略：%1）</translation>
        </message>
    </context>
    <context>
        <name>Settings</name>
        <message>
            <source>Engine runs</source>
            <translation>引擎运行位置</translation>
        </message>
        <message>
            <source>Gateway address</source>
            <translation>网关地址</translation>
        </message>
        <message>
            <source>PBX address</source>
            <translation>PBX 地址</translation>
        </message>
        <message>
            <source>API Client ID</source>
            <translation>API 客户端 ID</translation>
        </message>
        <message>
            <source>CA certificate file</source>
            <translation>CA 证书文件</translation>
        </message>
        <message>
            <source>Certificate fingerprint</source>
            <translation>证书指纹</translation>
        </message>
        <message>
            <source>Extension</source>
            <translation>分机</translation>
        </message>
        <message>
            <source>Heartbeat (seconds)</source>
            <translation>心跳间隔（秒）</translation>
        </message>
        <message>
            <source>CRM</source>
            <translation>CRM</translation>
        </message>
        <message>
            <source>CRM integration on</source>
            <translation>启用 CRM 集成</translation>
        </message>
        <message>
            <source>Client ID</source>
            <translation>客户端 ID</translation>
        </message>
        <message>
            <source>Zoho data centre</source>
            <translation>Zoho 数据中心</translation>
        </message>
        <message>
            <source>Salesforce login</source>
            <translation>Salesforce 登录</translation>
        </message>
        <message>
            <source>Redirect URI</source>
            <translation>重定向 URI</translation>
        </message>
        <message>
            <source>Zoho PhoneBridge mode</source>
            <translation>Zoho PhoneBridge 模式</translation>
        </message>
        <message>
            <source>Screen pop</source>
            <translation>来电弹屏</translation>
        </message>
        <message>
            <source>Mode</source>
            <translation>模式</translation>
        </message>
        <message>
            <source>Open the page when</source>
            <translation>弹屏时机</translation>
        </message>
        <message>
            <source>Create new contact</source>
            <translation>创建新联系人</translation>
        </message>
        <message>
            <source>Record type</source>
            <translation>记录类型</translation>
        </message>
        <message>
            <source>Name of new records</source>
            <translation>新记录名称</translation>
        </message>
        <message>
            <source>Inbound calls</source>
            <translation>呼入</translation>
        </message>
        <message>
            <source>Outbound calls</source>
            <translation>呼出</translation>
        </message>
        <message>
            <source>Call-log sync</source>
            <translation>通话记录同步</translation>
        </message>
        <message>
            <source>Subject</source>
            <translation>主题</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>描述</translation>
        </message>
        <message>
            <source>Play call recording link</source>
            <translation>播放通话录音</translation>
        </message>
        <message>
            <source>Recording link address</source>
            <translation>录音链接地址</translation>
        </message>
        <message>
            <source>Recording delivery</source>
            <translation>录音提供方式</translation>
        </message>
        <message>
            <source>Recording links expire after (days)</source>
            <translation>录音链接有效期（天）</translation>
        </message>
        <message>
            <source>Notes after a call (minutes)</source>
            <translation>通话结束后可添加备注（分钟）</translation>
        </message>
        <message>
            <source>Don't log missed calls for agents who did not answer</source>
            <translation>未接听的坐席不记录未接来电</translation>
        </message>
        <message>
            <source>Keep call history (days)</source>
            <translation>通话历史保留天数</translation>
        </message>
        <message>
            <source>Auto sync contacts</source>
            <translation>自动同步联系人</translation>
        </message>
        <message>
            <source>Company contacts group</source>
            <translation>企业联系人群组</translation>
        </message>
        <message>
            <source>Modules to sync</source>
            <translation>同步的模块</translation>
        </message>
        <message>
            <source>Refresh every (minutes)</source>
            <translation>刷新间隔（分钟）</translation>
        </message>
        <message>
            <source>Default country</source>
            <translation>默认国家/地区</translation>
        </message>
        <message>
            <source>Extra number formats</source>
            <translation>其他号码格式</translation>
        </message>
        <message>
            <source>Match last digits</source>
            <translation>匹配末尾位数</translation>
        </message>
        <message>
            <source>Always query CRM</source>
            <translation>始终查询CRM</translation>
        </message>
        <message>
            <source>Several matches</source>
            <translation>多条匹配时</translation>
        </message>
        <message>
            <source>Module priority</source>
            <translation>模块优先级</translation>
        </message>
        <message>
            <source>Incoming-call notifications</source>
            <translation>来电通知</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <source>Start at login</source>
            <translation>登录时启动</translation>
        </message>
        <message>
            <source>Outbound prefix</source>
            <translation>外线前缀</translation>
        </message>
        <message>
            <source>Manual binding</source>
            <translation>手动绑定</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>PBX connection</source>
            <translation>PBX 连接</translation>
        </message>
        <message>
            <source>CRM</source>
            <translation>CRM</translation>
        </message>
        <message>
            <source>User binding</source>
            <translation>用户绑定</translation>
        </message>
        <message>
            <source>Screen pop</source>
            <translation>来电弹屏</translation>
        </message>
        <message>
            <source>Create new contact</source>
            <translation>创建新联系人</translation>
        </message>
        <message>
            <source>Call-log sync</source>
            <translation>通话记录同步</translation>
        </message>
        <message>
            <source>Contact sync</source>
            <translation>联系人同步</translation>
        </message>
        <message>
            <source>Number matching</source>
            <translation>号码匹配</translation>
        </message>
        <message>
            <source>General</source>
            <translation>常规</translation>
        </message>
        <message>
            <source>Could not register for phone links: %1</source>
            <translation>无法注册为电话链接处理程序：%1</translation>
        </message>
        <message>
            <source>Settings pages</source>
            <translation>设置页面</translation>
        </message>
        <message>
            <source>Changes are saved and applied as you make them.</source>
            <translation>更改会在修改时立即保存并生效。</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <source>Not available in this mode</source>
            <translation>此模式下不可用</translation>
        </message>
        <message>
            <source>API Client Secret</source>
            <translation>API 客户端密钥</translation>
        </message>
        <message>
            <source>Stored in the keyring</source>
            <translation>已保存在系统钥匙串中</translation>
        </message>
        <message>
            <source>Not stored yet</source>
            <translation>尚未保存</translation>
        </message>
        <message>
            <source>&amp;Test connection</source>
            <translation>测试连接(&amp;T)</translation>
        </message>
        <message>
            <source>CRM status</source>
            <translation>CRM 状态</translation>
        </message>
        <message>
            <source>&amp;Authorise…</source>
            <translation>授权(&amp;A)…</translation>
        </message>
        <message>
            <source>&amp;Disable</source>
            <translation>禁用(&amp;D)</translation>
        </message>
        <message>
            <source>Dis&amp;connect…</source>
            <translation>取消对接(&amp;C)…</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Bound extensions</source>
            <translation>已绑定的分机</translation>
        </message>
        <message>
            <source>Extension</source>
            <translation>分机</translation>
        </message>
        <message>
            <source>CRM user</source>
            <translation>CRM 用户</translation>
        </message>
        <message>
            <source>Bound by</source>
            <translation>绑定方式</translation>
        </message>
        <message>
            <source>&amp;Refresh</source>
            <translation>刷新(&amp;R)</translation>
        </message>
        <message>
            <source>Call-log templates</source>
            <translation>通话记录模板</translation>
        </message>
        <message>
            <source>Make %1 the handler for &amp;phone links</source>
            <translation>将 %1 设为电话链接的处理程序(&amp;P)</translation>
        </message>
        <message>
            <source>Handle tel: and callto: links</source>
            <translation>处理 tel: 和 callto: 链接（一键呼叫）</translation>
        </message>
        <message>
            <source>On macOS, choose the app for phone links in FaceTime &gt; Settings.</source>
            <translation>在 macOS 上，请在“FaceTime &gt; 设置”中选择处理电话链接的应用。</translation>
        </message>
        <message>
            <source>Registered: pick %1 for TEL and CALLTO in Default Apps.</source>
            <translation>已注册：请在“默认应用”中为 TEL 和 CALLTO 选择 %1。</translation>
        </message>
        <message>
            <source>Phone links (tel:, callto:) now open %1.</source>
            <translation>电话链接（tel:、callto:）现在由 %1 打开。</translation>
        </message>
        <message>
            <source>The system did not accept the registration.</source>
            <translation>系统未接受此注册。</translation>
        </message>
        <message>
            <source>Not connected</source>
            <translation>未连接</translation>
        </message>
        <message>
            <source>Connected</source>
            <translation>已连接</translation>
        </message>
        <message>
            <source>Disabled</source>
            <translation>已禁用</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>错误</translation>
        </message>
        <message>
            <source>Failing since %1</source>
            <translation>自 %1 起出错</translation>
        </message>
        <message>
            <source>Limiting requests</source>
            <translation>正在限制请求</translation>
        </message>
        <message>
            <source>Sign-in expired: your administrator must authorise the gateway again</source>
            <translation>登录已过期：需由管理员重新授权网关</translation>
        </message>
        <message>
            <source>Sign-in expired: use Re-authorise</source>
            <translation>登录已过期：请点击“重新授权”</translation>
        </message>
        <message>
            <source>Not known until the gateway answers again · %1</source>
            <translation>网关恢复应答前无法得知 · %1</translation>
        </message>
        <message>
            <source>Re-&amp;authorise…</source>
            <translation>重新授权(&amp;A)…</translation>
        </message>
        <message>
            <source>&amp;Enable</source>
            <translation>启用(&amp;E)</translation>
        </message>
        <message>
            <source>Working…</source>
            <translation>正在处理…</translation>
        </message>
        <message>
            <source>Connected: %1</source>
            <translation>已连接：%1</translation>
        </message>
        <message>
            <source>Authorised as %1</source>
            <translation>已授权为 %1</translation>
        </message>
        <message>
            <source>Enabled</source>
            <translation>已启用</translation>
        </message>
        <message>
            <source>Disabled; every setting is kept</source>
            <translation>已禁用；所有设置均保留</translation>
        </message>
        <message>
            <source>Disconnect the CRM?</source>
            <translation>取消对接 CRM？</translation>
        </message>
        <message>
            <source>Disconnecting clears the CRM settings and sign-in. Contacts already synced to the PBX stay there and become editable. To pause the integration and keep the settings, use Disable instead.</source>
            <translation>取消对接将清除 CRM 设置和登录信息。已同步到 PBX 的联系人会保留并变为可编辑。如需暂停集成并保留设置，请改用“禁用”。</translation>
        </message>
        <message>
            <source>Disconnect</source>
            <translation>取消对接</translation>
        </message>
        <message>
            <source>Disconnected</source>
            <translation>已取消对接</translation>
        </message>
        <message>
            <source>Auto bind (same e-mail)</source>
            <translation>自动绑定（相同邮箱）</translation>
        </message>
        <message>
            <source>Manual bind</source>
            <translation>手动绑定</translation>
        </message>
        <message>
            <source>Not bound</source>
            <translation>未绑定</translation>
        </message>
        <message>
            <source>Your own CRM sign-in</source>
            <translation>您本人的 CRM 登录</translation>
        </message>
        <message>
            <source>The CRM user you signed in as</source>
            <translation>您登录的 CRM 用户</translation>
        </message>
    </context>
    <context>
        <name>Shell</name>
        <message>
            <source>Cannot open the CRM</source>
            <translation>无法打开 CRM</translation>
        </message>
        <message>
            <source>Cannot look the number up</source>
            <translation>无法查询该号码</translation>
        </message>
        <message>
            <source>Cannot save the note</source>
            <translation>无法保存备注</translation>
        </message>
        <message>
            <source>Cannot choose the record</source>
            <translation>无法选择该记录</translation>
        </message>
        <message>
            <source>Cannot dial</source>
            <translation>无法拨号</translation>
        </message>
        <message>
            <source>Cannot dial until the PBX connection is set up. Finish the setup, then dial the number again.</source>
            <translation>PBX 连接设置好之前无法拨号。请先完成设置，然后再拨打该号码。</translation>
        </message>
        <message>
            <source>Linkus Companion is already running: its menu is on the tray icon.</source>
            <translation>Linkus Companion 已在运行：它的菜单在托盘图标上。</translation>
        </message>
        <message>
            <source>%1 %2
Connects your Yeastar P-Series extension to HubSpot, Salesforce or Zoho CRM.</source>
            <translation>%1 %2
将您的 Yeastar P 系列分机与 HubSpot、Salesforce 或 Zoho CRM 对接。</translation>
        </message>
        <message>
            <source>About %1</source>
            <translation>关于 %1</translation>
        </message>
    </context>
    <context>
        <name>TemplateEditor</name>
        <message>
            <source>Preview of %1</source>
            <translation>%1 预览</translation>
        </message>
        <message>
            <source>Preview:</source>
            <translation>预览：</translation>
        </message>
        <message>
            <source>Template variables</source>
            <translation>模板变量</translation>
        </message>
        <message>
            <source>&amp;Insert variable</source>
            <translation>插入变量(&amp;I)</translation>
        </message>
        <message>
            <source>The defaults are the PBX manual's own text and values, written into the CRM as they are; the templates you save are used instead.</source>
            <translation>默认模板是 PBX 的 CRM 集成手册中的原文（英文），变量值也按原样写入 CRM；保存你自己的模板后，将使用你的模板。</translation>
        </message>
        <message>
            <source>&amp;Variables:</source>
            <translation>变量(&amp;V)：</translation>
        </message>
        <message>
            <source>Unknown variables: %1</source>
            <translation>未知变量：%1</translation>
        </message>
    </context>
    <context>
        <name>Tray</name>
        <message>
            <source>CRM</source>
            <translation>CRM</translation>
        </message>
        <message>
            <source>Reconnecting to the PBX in %1 s…</source>
            <translation>%1 秒后重新连接 PBX…</translation>
        </message>
        <message>
            <source>Not set up</source>
            <translation>未设置</translation>
        </message>
        <message>
            <source>Connecting to the PBX…</source>
            <translation>正在连接 PBX…</translation>
        </message>
        <message>
            <source>Connected</source>
            <translation>已连接</translation>
        </message>
        <message>
            <source>Reconnecting to the PBX…</source>
            <translation>正在重新连接 PBX…</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>错误</translation>
        </message>
        <message>
            <source>Connecting to the gateway…</source>
            <translation>正在连接网关…</translation>
        </message>
        <message>
            <source>Gateway unreachable: reconnecting in %1 s…</source>
            <translation>无法连接网关：%1 秒后重新连接…</translation>
        </message>
        <message>
            <source>Gateway unreachable: reconnecting…</source>
            <translation>无法连接网关：正在重新连接…</translation>
        </message>
        <message>
            <source>no CRM</source>
            <translation>未连接 CRM</translation>
        </message>
        <message>
            <source>%1 connected</source>
            <translation>%1 已连接</translation>
        </message>
        <message>
            <source>%1 disabled</source>
            <translation>%1 已禁用</translation>
        </message>
        <message>
            <source>%1 error</source>
            <translation>%1 出错</translation>
        </message>
        <message>
            <source>%1 failing since %2</source>
            <translation>%1 自 %2 起出错</translation>
        </message>
        <message>
            <source>%1 is limiting requests</source>
            <translation>%1 正在限制请求</translation>
        </message>
        <message>
            <source>%1 sign-in expired: re-authorise in Settings</source>
            <translation>%1 登录已过期：请在设置中重新授权</translation>
        </message>
        <message>
            <source>%1 sign-in expired: your administrator must authorise it again</source>
            <translation>%1 登录已过期：需由管理员重新授权</translation>
        </message>
        <message>
            <source>1 call log waiting for %1</source>
            <translation>1 条通话记录等待写入 %1</translation>
        </message>
        <message>
            <source>%2 call logs waiting for %1</source>
            <translation>%2 条通话记录等待写入 %1</translation>
        </message>
        <message>
            <source>pop-ups paused</source>
            <translation>弹屏已暂停</translation>
        </message>
        <message>
            <source>missed</source>
            <translation>未接</translation>
        </message>
        <message>
            <source>incoming</source>
            <translation>呼入</translation>
        </message>
        <message>
            <source>outgoing</source>
            <translation>呼出</translation>
        </message>
        <message>
            <source>internal</source>
            <translation>内部</translation>
        </message>
    </context>
    <context>
        <name>TrayMenu</name>
        <message>
            <source>&amp;Recent calls</source>
            <translation>最近通话(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Dial:</source>
            <translation>拨号(&amp;D)：</translation>
        </message>
        <message>
            <source>Number or name</source>
            <translation>号码或姓名</translation>
        </message>
        <message>
            <source>Number to dial</source>
            <translation>要拨打的号码</translation>
        </message>
        <message>
            <source>&amp;Pause pop-ups</source>
            <translation>暂停弹屏(&amp;P)</translation>
        </message>
        <message>
            <source>Call &amp;history…</source>
            <translation>通话历史(&amp;H)…</translation>
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation>设置(&amp;S)…</translation>
        </message>
        <message>
            <source>Open &amp;logs folder</source>
            <translation>打开日志文件夹(&amp;L)</translation>
        </message>
        <message>
            <source>&amp;About %1</source>
            <translation>关于 %1(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <source>Open in CRM</source>
            <translation>在 CRM 中打开</translation>
        </message>
        <message>
            <source>Add to CRM</source>
            <translation>添加到 CRM</translation>
        </message>
        <message>
            <source>No calls yet</source>
            <translation>暂无通话</translation>
        </message>
    </context>
    <context>
        <name>WelcomePage</name>
        <message>
            <source>Welcome to %1</source>
            <translation>欢迎使用 %1</translation>
        </message>
        <message>
            <source>%1 opens your callers' CRM pages and logs your calls. Let's connect it.</source>
            <translation>%1 会为来电打开 CRM 页面并记录您的通话。现在开始连接。</translation>
        </message>
        <message>
            <source>Connect to my &amp;PBX (small office)</source>
            <translation>直接连接我的 &amp;PBX（小型办公室）</translation>
        </message>
        <message>
            <source>Use my company's &amp;gateway</source>
            <translation>使用公司的网关(&amp;G)</translation>
        </message>
        <message>
            <source>Try the offline &amp;demo (no account needed)</source>
            <translation>试用离线演示(&amp;D)（无需账号）</translation>
        </message>
    </context>
    <context>
        <name>_CheckedPage</name>
        <message>
            <source>Check result</source>
            <translation>检查结果</translation>
        </message>
    </context>
    <context>
        <name>SettingDocs</name>
        <message>
            <source>PBX Open API base address, e.g. https://pbx.example.com:8088</source>
            <translation>PBX Open API 基础地址，例如 https://pbx.example.com:8088</translation>
        </message>
        <message>
            <source>Open API Client ID (its secret lives in the keyring)</source>
            <translation>Open API 客户端 ID（其密钥保存在系统钥匙串中）</translation>
        </message>
        <message>
            <source>CA certificate file that signs the PBX's certificate</source>
            <translation>签发 PBX 证书的 CA 证书文件</translation>
        </message>
        <message>
            <source>SHA-256 fingerprint pinned for a PBX with its own certificate</source>
            <translation>为使用自签名证书的 PBX 固定的 SHA-256 指纹</translation>
        </message>
        <message>
            <source>The PBX extension(s) whose calls this app handles</source>
            <translation>本应用处理其通话的 PBX 分机</translation>
        </message>
        <message>
            <source>WebSocket heartbeat interval (the PBX closes at 60 s idle)</source>
            <translation>WebSocket 心跳间隔（PBX 在空闲 60 秒后断开）</translation>
        </message>
        <message>
            <source>Run the engine here (embedded) or use a site gateway</source>
            <translation>在本机运行引擎（嵌入式）或使用站点网关</translation>
        </message>
        <message>
            <source>Address of the site gateway when backend is gateway</source>
            <translation>使用网关时的站点网关地址</translation>
        </message>
        <message>
            <source>Which CRM to connect</source>
            <translation>要对接的 CRM</translation>
        </message>
        <message>
            <source>CRM integration on; off keeps every setting (Disable)</source>
            <translation>启用 CRM 集成；关闭时保留所有设置（禁用）</translation>
        </message>
        <message>
            <source>OAuth Client ID (Salesforce: consumer key) of the admin's CRM app</source>
            <translation>管理员 CRM 应用的 OAuth 客户端 ID（Salesforce：使用者密钥）</translation>
        </message>
        <message>
            <source>Zoho data centre: the domain ending of its servers</source>
            <translation>Zoho 数据中心：其服务器的域名后缀</translation>
        </message>
        <message>
            <source>Salesforce login: login (production), test (sandbox) or your My Domain URL</source>
            <translation>Salesforce 登录：login（生产环境）、test（沙盒）或您的“我的域”地址</translation>
        </message>
        <message>
            <source>OAuth redirect URI registered with the CRM app</source>
            <translation>在 CRM 应用中注册的 OAuth 重定向 URI</translation>
        </message>
        <message>
            <source>Zoho PhoneBridge mode: Zoho pops and logs calls itself</source>
            <translation>Zoho PhoneBridge 模式：由 Zoho 自行弹屏并记录通话</translation>
        </message>
        <message>
            <source>Open the caller's CRM page</source>
            <translation>打开来电者的 CRM 页面</translation>
        </message>
        <message>
            <source>auto (incoming calls only) or manual (button in the call window)</source>
            <translation>自动（仅限来电）或手动（通话窗口中的按钮）</translation>
        </message>
        <message>
            <source>When an auto pop opens the page</source>
            <translation>自动弹屏打开页面的时机</translation>
        </message>
        <message>
            <source>Offer to create CRM records for unknown numbers</source>
            <translation>为未知号码提供创建 CRM 记录的选项</translation>
        </message>
        <message>
            <source>Create a contact or a lead (HubSpot: contacts only)</source>
            <translation>创建联系人或线索（HubSpot 仅支持联系人）</translation>
        </message>
        <message>
            <source>auto: create 'Automatic New Contact &lt;number&gt;'; manual: the user decides</source>
            <translation>自动：创建“Automatic New Contact &lt;号码&gt;”；手动：由用户决定</translation>
        </message>
        <message>
            <source>Name of auto-created records: in the interface language, or the manuals' exact 'Automatic New Contact'</source>
            <translation>自动创建记录的名称：使用界面语言，或与手册完全一致的 “Automatic New Contact”</translation>
        </message>
        <message>
            <source>Auto-create for unknown numbers on inbound calls</source>
            <translation>呼入时为未知号码自动创建</translation>
        </message>
        <message>
            <source>Auto-create for unknown numbers on outbound calls</source>
            <translation>呼出时为未知号码自动创建</translation>
        </message>
        <message>
            <source>Write every call of a bound extension into the CRM</source>
            <translation>将已绑定分机的每个通话写入 CRM</translation>
        </message>
        <message>
            <source>Call-log subject template (Salesforce, Zoho)</source>
            <translation>通话记录主题模板（Salesforce、Zoho）</translation>
        </message>
        <message>
            <source>Call-log description template</source>
            <translation>通话记录描述模板</translation>
        </message>
        <message>
            <source>Add a link that plays the PBX recording</source>
            <translation>添加播放 PBX 通话录音的链接</translation>
        </message>
        <message>
            <source>Where recording links point (this desktop's player, or the gateway's https address)</source>
            <translation>录音链接指向的位置（本机播放器或网关的 https 地址）</translation>
        </message>
        <message>
            <source>How CRM users play recordings: upload the file into the CRM, or a link to the gateway (auto: upload on a desktop, link with a gateway)</source>
            <translation>CRM 用户如何播放录音：将文件上传到 CRM，或提供指向网关的链接（自动：桌面端上传，网关端使用链接）</translation>
        </message>
        <message>
            <source>Recording links stop playing this many days after they were written (0: never)</source>
            <translation>录音链接在写入后经过此天数即失效（0：永不失效）</translation>
        </message>
        <message>
            <source>Queue/ring-group calls: no missed-call log for agents who did not answer</source>
            <translation>队列/响铃组通话：未接听的坐席不记录未接来电</translation>
        </message>
        <message>
            <source>Minutes after a call ends that its card still takes a note for the call log</source>
            <translation>通话结束后，通话卡片仍可为通话记录添加备注的分钟数</translation>
        </message>
        <message>
            <source>Days closed calls and delivered call logs stay in the local store</source>
            <translation>已结束的通话和已同步的通话记录在本地存储中保留的天数</translation>
        </message>
        <message>
            <source>Copy CRM contacts who call or are called into a PBX phonebook</source>
            <translation>将来电或被呼叫的 CRM 联系人复制到 PBX 电话簿</translation>
        </message>
        <message>
            <source>Name of the PBX company-contacts group (phonebook) owned by the sync</source>
            <translation>同步所使用的 PBX 企业联系人群组（电话簿）名称</translation>
        </message>
        <message>
            <source>CRM modules whose records are synced</source>
            <translation>需要同步记录的 CRM 模块</translation>
        </message>
        <message>
            <source>Refresh synced contacts from the CRM this often</source>
            <translation>从 CRM 刷新已同步联系人的频率</translation>
        </message>
        <message>
            <source>Default country for numbers written without one</source>
            <translation>未写国家代码的号码所用的默认国家/地区</translation>
        </message>
        <message>
            <source>Extra number layouts to search, # per national digit, e.g. (###) ###-####</source>
            <translation>额外搜索的号码格式，每个 # 代表一位国内号码，例如 (###) ###-####</translation>
        </message>
        <message>
            <source>Fall back to matching the last N digits (0: off)</source>
            <translation>退而匹配末尾 N 位数字（0：关闭）</translation>
        </message>
        <message>
            <source>Ask the CRM on every call, not only when the PBX phonebook has no match</source>
            <translation>每次通话都查询 CRM，而不仅在 PBX 电话簿无匹配时</translation>
        </message>
        <message>
            <source>Several records share a number: ask, module priority or most recent</source>
            <translation>多条记录共用一个号码时：询问、按模块优先级或取最近更新</translation>
        </message>
        <message>
            <source>Module order for lookups and the priority rule</source>
            <translation>查询和优先级规则使用的模块顺序</translation>
        </message>
        <message>
            <source>Show a notification for incoming calls</source>
            <translation>来电时显示通知</translation>
        </message>
        <message>
            <source>Interface language (auto follows the system)</source>
            <translation>界面语言（自动则跟随系统）</translation>
        </message>
        <message>
            <source>Start the app when the user logs in</source>
            <translation>用户登录时启动应用</translation>
        </message>
        <message>
            <source>Prefix dialled before external numbers (e.g. 9)</source>
            <translation>拨打外部号码前加拨的前缀（例如 9）</translation>
        </message>
        <message>
            <source>Manual binding: extension -&gt; CRM user ID (others bind by e-mail)</source>
            <translation>手动绑定：分机 -&gt; CRM 用户 ID（其他分机按邮箱绑定）</translation>
        </message>
    </context>
    <context>
        <name>TemplateVariables</name>
        <message>
            <source>start of the call, local time, e.g. 2026-03-02 09:30:00</source>
            <translation>通话开始时间（本地时间），例如 2026-03-02 09:30:00</translation>
        </message>
        <message>
            <source>start of the call, seconds since 1970 (UTC)</source>
            <translation>通话开始时间，自 1970 年起的秒数（UTC）</translation>
        </message>
        <message>
            <source>Answered, Missed, No Answer, Busy, Voicemail or Failed</source>
            <translation>通话状态：Answered（应答）、Missed（未接来电）、No Answer（无人应答）、Busy（忙线）、Voicemail（语音留言）或 Failed（失败）</translation>
        </message>
        <message>
            <source>calling number</source>
            <translation>主叫号码</translation>
        </message>
        <message>
            <source>called number</source>
            <translation>被叫号码</translation>
        </message>
        <message>
            <source>talk time as HH:MM:SS</source>
            <translation>通话时长，格式 HH:MM:SS</translation>
        </message>
        <message>
            <source>talk time in seconds</source>
            <translation>通话时长（秒）</translation>
        </message>
        <message>
            <source>ring time as HH:MM:SS</source>
            <translation>响铃时长，格式 HH:MM:SS</translation>
        </message>
        <message>
            <source>ring time in seconds</source>
            <translation>响铃时长（秒）</translation>
        </message>
        <message>
            <source>Inbound, Outbound or Internal</source>
            <translation>通话类型：Inbound（呼入）、Outbound（呼出）或 Internal（内部通话）</translation>
        </message>
        <message>
            <source>our extension number</source>
            <translation>我方分机号码</translation>
        </message>
        <message>
            <source>our extension's name</source>
            <translation>我方分机名称</translation>
        </message>
        <message>
            <source>the matched CRM record's name</source>
            <translation>匹配到的 CRM 记录名称</translation>
        </message>
        <message>
            <source>the matched record's company</source>
            <translation>匹配到的记录所属公司</translation>
        </message>
        <message>
            <source>link that plays the recording (empty when not recorded)</source>
            <translation>播放录音的链接（未录音时为空）</translation>
        </message>
        <message>
            <source>the PBX call id</source>
            <translation>PBX 通话 ID</translation>
        </message>
        <message>
            <source>the number the caller dialled (inbound trunk DID)</source>
            <translation>来电方拨打的号码（呼入中继 DID）</translation>
        </message>
        <message>
            <source>what the user typed on the call's card (added at the end when the template has no {{.Note}})</source>
            <translation>用户在通话卡片上输入的备注（模板中没有 {{.Note}} 时添加在末尾）</translation>
        </message>
    </context>
    <context>
        <name>Errors</name>
        <message>
            <source>key {key}, expires {expires}; settings: {counts}</source>
            <translation>密钥 {key}，{expires} 到期；设置：{counts}</translation>
        </message>
        <message>
            <source>private key: {path}  (keep it offline; it signs every bundle)</source>
            <translation>私钥：{path}（请离线保管；每个配置包都由它签名）</translation>
        </message>
        <message>
            <source>public key:  {path}  (key id {key})</source>
            <translation>公钥：{path}（密钥 ID {key}）</translation>
        </message>
        <message>
            <source>Pin it with a locked policy, e.g. managed/provisioning.json:</source>
            <translation>请用锁定策略固定此公钥，例如 managed/provisioning.json：</translation>
        </message>
        <message>
            <source>verified: {summary}</source>
            <translation>验证通过：{summary}</translation>
        </message>
        <message>
            <source>{name} stored in the keyring ({keyring})</source>
            <translation>{name} 已保存到系统钥匙串（{keyring}）</translation>
        </message>
        <message>
            <source>key {key}, issuer {issuer}, expires {expires}; settings: {counts}</source>
            <translation>密钥 {key}，签发者 {issuer}，{expires} 到期；设置：{counts}</translation>
        </message>
        <message>
            <source>error: {why}</source>
            <translation>错误：{why}</translation>
        </message>
        <message>
            <source>signed bundle written to {path}</source>
            <translation>已签名的配置包已写入 {path}</translation>
        </message>
        <message>
            <source>signature: verified ({summary})</source>
            <translation>签名：验证通过（{summary}）</translation>
        </message>
        <message>
            <source>"{name}" is not a deployable secret; use one of {names}</source>
            <translation>“{name}”不是可部署的密钥，请使用以下之一：{names}</translation>
        </message>
        <message>
            <source>no secret on standard input; pipe it in, e.g. from the deployment tool's secret store</source>
            <translation>标准输入中没有密钥；请通过管道传入，例如从部署工具的密钥库传入</translation>
        </message>
        <message>
            <source>call {call}: {links} link(s) withdrawn, {uploads} queued upload(s) cancelled, {files} local copy(ies) deleted</source>
            <translation>通话 {call}：已撤回 {links} 个链接，已取消 {uploads} 个排队中的上传，已删除 {files} 个本地副本</translation>
        </message>
        <message>
            <source>deleted from the CRM: file {file}</source>
            <translation>已从 CRM 中删除：文件 {file}</translation>
        </message>
        <message>
            <source>already stored in the CRM as file {file}: delete it there (CRM admin) to remove it everywhere</source>
            <translation>已作为文件 {file} 保存在 CRM 中：如需彻底删除，请由 CRM 管理员在 CRM 中删除</translation>
        </message>
        <message>
            <source>cannot write the key pair into {path} ({why})</source>
            <translation>无法将密钥对写入 {path}（{why}）</translation>
        </message>
        <message>
            <source>bundle refused: {why}</source>
            <translation>配置包被拒绝：{why}</translation>
        </message>
        <message>
            <source>not a readable bundle ({why})</source>
            <translation>无法读取的配置包（{why}）</translation>
        </message>
        <message>
            <source>signature: NOT verified - {why}</source>
            <translation>签名：未通过验证 - {why}</translation>
        </message>
        <message>
            <source>{count} {layer}</source>
            <translation>{count} 项{layer}</translation>
        </message>
        <message>
            <source>the copies in the CRM could not be deleted: {why}</source>
            <translation>CRM 中的副本未能删除：{why}</translation>
        </message>
        <message>
            <source>This profile is not signed in to the CRM.</source>
            <translation>此配置尚未登录 CRM。</translation>
        </message>
        <message>
            <source>{url} answers (HTTP {status})</source>
            <translation>{url} 有响应（HTTP {status}）</translation>
        </message>
        <message>
            <source>backend is gateway but gateway.url is not set; ask your administrator</source>
            <translation>已选择使用网关，但未设置 gateway.url；请咨询管理员</translation>
        </message>
        <message>
            <source>{count} problem(s) found.</source>
            <translation>发现 {count} 个问题。</translation>
        </message>
        <message>
            <source>No problems found.</source>
            <translation>未发现问题。</translation>
        </message>
        <message>
            <source>{url}: {why}; check the address and the network</source>
            <translation>{url}：{why}；请检查地址和网络</translation>
        </message>
        <message>
            <source>PROBLEM  settings {why}</source>
            <translation>PROBLEM  settings {why}</translation>
        </message>
        <message>
            <source>signed in to {crm}; access token refreshed</source>
            <translation>已登录 {crm}；访问令牌已刷新</translation>
        </message>
        <message>
            <source>API at {url} answers ({count} user(s))</source>
            <translation>{url} 的 API 有响应（{count} 个用户）</translation>
        </message>
        <message>
            <source>no CRM chosen (crm.kind); pick HubSpot, Salesforce or Zoho CRM in Settings</source>
            <translation>未选择 CRM（crm.kind）；请在设置中选择 HubSpot、Salesforce 或 Zoho CRM</translation>
        </message>
        <message>
            <source>{crm} integration is disabled (crm.enabled = false); nothing to check</source>
            <translation>{crm} 集成已禁用（crm.enabled = false）；无需检查</translation>
        </message>
        <message>
            <source>not signed in to {crm}; connect in Settings &gt; CRM</source>
            <translation>未登录 {crm}；请在“设置 &gt; CRM”中连接</translation>
        </message>
        <message>
            <source>authorisation: {why}</source>
            <translation>授权：{why}</translation>
        </message>
        <message>
            <source>API at {url}: {why}</source>
            <translation>{url} 的 API：{why}</translation>
        </message>
        <message>
            <source>a third-party keyring (named in the log file)</source>
            <translation>第三方钥匙串（名称见日志文件）</translation>
        </message>
        <message>
            <source>the Secret Service keyring (GNOME Keyring, KWallet)</source>
            <translation>Secret Service 钥匙串（GNOME Keyring、KWallet）</translation>
        </message>
        <message>
            <source>the OS keyrings found on this computer</source>
            <translation>本机找到的系统钥匙串</translation>
        </message>
        <message>
            <source>KWallet</source>
            <translation>KWallet</translation>
        </message>
        <message>
            <source>Windows Credential Manager</source>
            <translation>Windows 凭据管理器</translation>
        </message>
        <message>
            <source>the macOS Keychain</source>
            <translation>macOS 钥匙串</translation>
        </message>
        <message>
            <source>{keyring} stores and returns secrets</source>
            <translation>{keyring} 可以正常保存和读取密钥</translation>
        </message>
        <message>
            <source>{problem}; run `linkus-companion browser-extension install`</source>
            <translation>{problem}；请运行 `linkus-companion browser-extension install`</translation>
        </message>
        <message>
            <source>signed bundles are trusted from key(s) {kids} (pinned by {origin})</source>
            <translation>信任由密钥 {kids} 签名的配置包（由 {origin} 固定）</translation>
        </message>
        <message>
            <source>central configuration from {url}</source>
            <translation>集中配置来自 {url}</translation>
        </message>
        <message>
            <source>{name} sets {count} setting(s)</source>
            <translation>{name} 设置了 {count} 个设置项</translation>
        </message>
        <message>
            <source>(empty)</source>
            <translation>（空）</translation>
        </message>
        <message>
            <source>no admin policy applies; every setting is the user's or the default</source>
            <translation>没有生效的管理员策略；所有设置均为用户设置或默认值</translation>
        </message>
        <message>
            <source>{issue}; fix or remove that entry</source>
            <translation>{issue}；请修正或删除该条目</translation>
        </message>
        <message>
            <source>no OS keyring found; install or unlock one (GNOME Keyring, KWallet)</source>
            <translation>未找到系统钥匙串；请安装或解锁一个（GNOME Keyring、KWallet）</translation>
        </message>
        <message>
            <source>the keyring in use stores nothing; unset PYTHON_KEYRING_BACKEND</source>
            <translation>当前使用的钥匙串不保存任何内容；请取消设置 PYTHON_KEYRING_BACKEND</translation>
        </message>
        <message>
            <source>the keyring in use keeps secrets in a plain file; remove keyrings.alt and use the OS keyring</source>
            <translation>当前使用的钥匙串将密钥保存在明文文件中；请移除 keyrings.alt 并使用系统钥匙串</translation>
        </message>
        <message>
            <source>{keyring} did not return what was stored; check the keyring service</source>
            <translation>{keyring} 未返回已保存的内容；请检查钥匙串服务</translation>
        </message>
        <message>
            <source>the click-to-call host is registered for {browsers}</source>
            <translation>一键呼叫主机已为 {browsers} 注册</translation>
        </message>
        <message>
            <source>click to call from CRM pages is not set up (optional): `browser-extension install`</source>
            <translation>尚未设置从 CRM 页面一键呼叫（可选）：`browser-extension install`</translation>
        </message>
        <message>
            <source>{key} = {value} ({source}: {policy})</source>
            <translation>{key} = {value}（{source}：{policy}）</translation>
        </message>
        <message>
            <source>{keyring} failed: {why}</source>
            <translation>{keyring} 出错：{why}</translation>
        </message>
        <message>
            <source>the pinned fingerprint</source>
            <translation>固定的指纹</translation>
        </message>
        <message>
            <source>the CA file {path}</source>
            <translation>CA 文件 {path}</translation>
        </message>
        <message>
            <source>the system's trust store</source>
            <translation>系统信任库</translation>
        </message>
        <message>
            <source>event WebSocket subscribed</source>
            <translation>事件 WebSocket 已订阅</translation>
        </message>
        <message>
            <source>{url} answers ({model} {device}); TLS verified with {trust}</source>
            <translation>{url} 有响应（{model} {device}）；已用{trust}验证 TLS</translation>
        </message>
        <message>
            <source>API token issued for the Client ID</source>
            <translation>已为该客户端 ID 签发 API 令牌</translation>
        </message>
        <message>
            <source>extension(s) {numbers} exist</source>
            <translation>分机 {numbers} 存在</translation>
        </message>
        <message>
            <source>event WebSocket: {why}</source>
            <translation>事件 WebSocket：{why}</translation>
        </message>
        <message>
            <source>firmware {firmware} is supported</source>
            <translation>固件 {firmware} 受支持</translation>
        </message>
        <message>
            <source>no extension set (pbx.extensions); set the user's extension number</source>
            <translation>未设置分机（pbx.extensions）；请设置用户的分机号</translation>
        </message>
        <message>
            <source>extension(s) {missing} do not exist on the PBX; fix pbx.extensions</source>
            <translation>PBX 上不存在分机 {missing}；请修正 pbx.extensions</translation>
        </message>
        <message>
            <source>no answer</source>
            <translation>无响应</translation>
        </message>
        <message>
            <source>event WebSocket not subscribed within {seconds} s ({why}); check firewalls and proxies</source>
            <translation>事件 WebSocket 未在 {seconds} 秒内完成订阅（{why}）；请检查防火墙和代理</translation>
        </message>
        <message>
            <source>TLS: {why} Set pbx.ca_file to the CA that signed it, or pin pbx.cert_fingerprint.</source>
            <translation>TLS：{why} 请将 pbx.ca_file 设为签发该证书的 CA，或固定 pbx.cert_fingerprint。</translation>
        </message>
        <message>
            <source>{url} answers; TLS verified with {trust}</source>
            <translation>{url} 有响应；已用{trust}验证 TLS</translation>
        </message>
        <message>
            <source>token: {why}</source>
            <translation>令牌：{why}</translation>
        </message>
        <message>
            <source>{url} is unreachable: {why}</source>
            <translation>{url} 无法访问：{why}</translation>
        </message>
        <message>
            <source>{url}: {why}</source>
            <translation>{url}：{why}</translation>
        </message>
        <message>
            <source>cannot list extensions: {why}</source>
            <translation>无法列出分机：{why}</translation>
        </message>
        <message>
            <source>{mark} {area} {text}</source>
            <translation>{mark} {area} {text}</translation>
        </message>
        <message>
            <source>{path} holds neither an Ed25519 nor a P-256 key; make one with `admin keygen`.</source>
            <translation>{path} 中既不是 Ed25519 密钥也不是 P-256 密钥；请用 `admin keygen` 生成。</translation>
        </message>
        <message>
            <source>{path} exists already; move it away first (bundles it signed need it).</source>
            <translation>{path} 已存在；请先将其移走（用它签名的配置包仍需要它）。</translation>
        </message>
        <message>
            <source>Cannot read the signing key {path} ({why}).</source>
            <translation>无法读取签名密钥 {path}（{why}）。</translation>
        </message>
        <message>
            <source>{path} is not a usable private key{detail}; set {variable} if it is encrypted.</source>
            <translation>{path} 不是可用的私钥{detail}；如果它已加密，请设置 {variable}。</translation>
        </message>
        <message>
            <source>a bundle must stay valid for at least one day</source>
            <translation>配置包的有效期至少为一天</translation>
        </message>
        <message>
            <source>a spec is a JSON object with "locked" and/or "recommended" objects of settings</source>
            <translation>策略说明文件应为 JSON 对象，包含设置对象 "locked" 和/或 "recommended"</translation>
        </message>
        <message>
            <source>the spec has problems:
  {problems}</source>
            <translation>策略说明文件有以下问题：
  {problems}</translation>
        </message>
        <message>
            <source>cannot read the spec {path} ({why})</source>
            <translation>无法读取策略说明文件 {path}（{why}）</translation>
        </message>
        <message>
            <source>{section}: must be an object of settings</source>
            <translation>{section}：必须是设置对象</translation>
        </message>
        <message>
            <source>{section}.{key}: secrets never go in policies; deploy them to the keyring</source>
            <translation>{section}.{key}：密钥不能写入策略，请部署到系统钥匙串</translation>
        </message>
        <message>
            <source>{section}.{key}: set it only as a locked OS policy or managed JSON</source>
            <translation>{section}.{key}：只能作为锁定的系统策略或 managed JSON 设置</translation>
        </message>
        <message>
            <source>{section}: {why}</source>
            <translation>{section}：{why}</translation>
        </message>
        <message>
            <source>Disable and Disconnect work once the app is connected to the PBX; check the PBX connection first.</source>
            <translation>连接到 PBX 后才能使用“禁用”和“取消对接”；请先检查 PBX 连接。</translation>
        </message>
        <message>
            <source>{device}, firmware {firmware}</source>
            <translation>{device}，固件 {firmware}</translation>
        </message>
        <message>
            <source>{found} ({warning})</source>
            <translation>{found}（{warning}）</translation>
        </message>
        <message>
            <source>Ask your administrator for this desktop's gateway enrolment code.</source>
            <translation>请向管理员索取本电脑的网关注册码。</translation>
        </message>
        <message>
            <source>Could not change starting at login ({why}).</source>
            <translation>无法更改登录时启动的设置（{why}）。</translation>
        </message>
        <message>
            <source>Linkus Companion is not running here: start it (linkus-companion run), then dial again.</source>
            <translation>Linkus Companion 未在本机运行：请先启动（linkus-companion run），再重新拨号。</translation>
        </message>
        <message>
            <source>Cannot dial: {why}</source>
            <translation>无法拨号：{why}</translation>
        </message>
        <message>
            <source>linkus-companion: {why}</source>
            <translation>linkus-companion：{why}</translation>
        </message>
        <message>
            <source>linkus-companion: {path}: {why}</source>
            <translation>linkus-companion：{path}：{why}</translation>
        </message>
        <message>
            <source>Linkus Companion is not set up yet: open its settings and connect your PBX.</source>
            <translation>Linkus Companion 尚未设置：请打开设置并连接您的 PBX。</translation>
        </message>
        <message>
            <source>Linkus Companion is not connected to the PBX yet; wait a moment and try again.</source>
            <translation>Linkus Companion 尚未连接到 PBX，请稍候再试。</translation>
        </message>
        <message>
            <source>You are already on a call; finish it before dialling another number.</source>
            <translation>您正在通话中，请结束当前通话后再拨打其他号码。</translation>
        </message>
        <message>
            <source>configuration bundle refused: {why}</source>
            <translation>配置包被拒绝：{why}</translation>
        </message>
        <message>
            <source>{key} is honoured only as a locked policy; ignored</source>
            <translation>{key} 仅在锁定策略中生效，已忽略</translation>
        </message>
        <message>
            <source>{why}; ignored</source>
            <translation>{why}；已忽略</translation>
        </message>
        <message>
            <source>default</source>
            <translation>默认值</translation>
        </message>
        <message>
            <source>recommended</source>
            <translation>推荐策略</translation>
        </message>
        <message>
            <source>user</source>
            <translation>用户设置</translation>
        </message>
        <message>
            <source>locked</source>
            <translation>锁定策略</translation>
        </message>
        <message>
            <source>warning: {problem}</source>
            <translation>警告：{problem}</translation>
        </message>
        <message>
            <source>KEY</source>
            <translation>设置项</translation>
        </message>
        <message>
            <source>VALUE</source>
            <translation>值</translation>
        </message>
        <message>
            <source>LOCKED</source>
            <translation>锁定</translation>
        </message>
        <message>
            <source>SOURCE</source>
            <translation>来源</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <source>{key}: {value} is not valid; it must be {rule}</source>
            <translation>{key}：{value} 无效，应为{rule}</translation>
        </message>
        <message>
            <source>{key} is locked by your administrator (policy: {policy}) and cannot be changed</source>
            <translation>{key} 已被管理员锁定（策略：{policy}），无法更改</translation>
        </message>
        <message>
            <source>there is no setting named {key}; did you mean {close}?</source>
            <translation>没有名为 {key} 的设置项；您是否要找 {close}？</translation>
        </message>
        <message>
            <source>there is no setting named {key}</source>
            <translation>没有名为 {key} 的设置项</translation>
        </message>
        <message>
            <source>cannot read the preferences ({why})</source>
            <translation>无法读取偏好设置（{why}）</translation>
        </message>
        <message>
            <source>the config URL {url} must start with https://</source>
            <translation>配置地址 {url} 必须以 https:// 开头</translation>
        </message>
        <message>
            <source>the config URL {url} answered HTTP {status}</source>
            <translation>配置地址 {url} 返回了 HTTP {status}</translation>
        </message>
        <message>
            <source>the config URL {url} sent {count} bytes, too many for a bundle</source>
            <translation>配置地址 {url} 发来了 {count} 字节，超出配置包的大小上限</translation>
        </message>
        <message>
            <source>cannot download the configuration from {url}: {why}</source>
            <translation>无法从 {url} 下载配置：{why}</translation>
        </message>
        <message>
            <source>{name}: unsupported registry value type; use REG_SZ, REG_DWORD or REG_MULTI_SZ; ignored</source>
            <translation>{name}：不支持的注册表值类型，请使用 REG_SZ、REG_DWORD 或 REG_MULTI_SZ；已忽略</translation>
        </message>
        <message>
            <source>cannot read the policy key ({why})</source>
            <translation>无法读取策略注册表项（{why}）</translation>
        </message>
        <message>
            <source>only Ed25519 (EdDSA) and P-256 (ES256) public keys are accepted</source>
            <translation>仅接受 Ed25519（EdDSA）和 P-256（ES256）公钥</translation>
        </message>
        <message>
            <source>the bundle's signature matches no pinned key (it was altered, or signed with another key)</source>
            <translation>配置包的签名与所有已固定的公钥都不匹配（配置包已被修改，或由其他密钥签名）</translation>
        </message>
        <message>
            <source>no locked policy pins a public key (provisioning.public_keys), so signed bundles cannot be trusted; ask your administrator to deploy the key</source>
            <translation>没有锁定策略固定公钥（provisioning.public_keys），因此无法信任已签名的配置包；请让管理员部署公钥</translation>
        </message>
        <message>
            <source>the bundle was signed with key {kid}, which no policy pins (pinned: {pinned}); ask your administrator for a bundle signed with the pinned key</source>
            <translation>配置包由密钥 {kid} 签名，但没有策略固定该密钥（已固定：{pinned}）；请向管理员索取用已固定密钥签名的配置包</translation>
        </message>
        <message>
            <source>the bundle was altered after it was signed (the signature does not match)</source>
            <translation>配置包在签名后被修改过（签名不匹配）</translation>
        </message>
        <message>
            <source>the bundle's dates are unreadable; sign it again with `admin sign`</source>
            <translation>无法读取配置包的日期；请用 `admin sign` 重新签名</translation>
        </message>
        <message>
            <source>the bundle expired on {date}; ask your administrator for a new one</source>
            <translation>配置包已于 {date} 过期；请向管理员索取新的配置包</translation>
        </message>
        <message>
            <source>the bundle is not valid before {date}; check this computer's clock</source>
            <translation>配置包在 {date} 之前无效；请检查本机时钟</translation>
        </message>
        <message>
            <source>the bundle's `settings` claim must be an object with `locked` and/or `recommended`</source>
            <translation>配置包的 `settings` 声明必须是包含 `locked` 和/或 `recommended` 的对象</translation>
        </message>
        <message>
            <source>not a readable public key{detail}</source>
            <translation>无法读取的公钥{detail}</translation>
        </message>
        <message>
            <source>this is not a signed configuration bundle (not a JWT)</source>
            <translation>这不是已签名的配置包（不是 JWT）</translation>
        </message>
        <message>
            <source>the bundle is unsigned; only EdDSA or ES256 signatures are accepted</source>
            <translation>配置包未签名；仅接受 EdDSA 或 ES256 签名</translation>
        </message>
        <message>
            <source>the bundle is signed with "{alg}"; only EdDSA or ES256 signatures are accepted</source>
            <translation>配置包使用“{alg}”签名；仅接受 EdDSA 或 ES256 签名</translation>
        </message>
        <message>
            <source>the bundle's "{name}" section must be an object of settings</source>
            <translation>配置包的“{name}”部分必须是设置对象</translation>
        </message>
        <message>
            <source>the bundle carries secret-looking keys ({keys}); secrets never go in bundles</source>
            <translation>配置包含有疑似密钥的设置项（{keys}）；密钥不能写入配置包</translation>
        </message>
        <message>
            <source>the JWT is not a Linkus Companion configuration bundle (wrong audience)</source>
            <translation>该 JWT 不是 Linkus Companion 配置包（受众不符）</translation>
        </message>
        <message>
            <source>the bundle lacks the "{claim}" claim; sign it with `admin sign`</source>
            <translation>配置包缺少“{claim}”声明；请用 `admin sign` 签名</translation>
        </message>
        <message>
            <source>the bundle is not valid{detail}</source>
            <translation>配置包无效{detail}</translation>
        </message>
        <message>
            <source>one of {options}</source>
            <translation>以下之一：{options}</translation>
        </message>
        <message>
            <source>a whole number from {low} to {high}</source>
            <translation>{low} 到 {high} 之间的整数</translation>
        </message>
        <message>
            <source>an https:// URL with a host name and no user name or password</source>
            <translation>带主机名、不含用户名和密码的 https:// 地址</translation>
        </message>
        <message>
            <source>{first}, or {second}</source>
            <translation>{first}，或{second}</translation>
        </message>
        <message>
            <source>an absolute file path</source>
            <translation>绝对文件路径</translation>
        </message>
        <message>
            <source>a two-letter ISO 3166 country code in capitals, e.g. GB or US</source>
            <translation>两位大写的 ISO 3166 国家代码，例如 GB 或 US</translation>
        </message>
        <message>
            <source>text of at most {most} characters whose placeholders look like {{{{.Time}}}} or {{{{Time}}}}</source>
            <translation>不超过 {most} 个字符的文本，占位符形如 {{{{.Time}}}} 或 {{{{Time}}}}</translation>
        </message>
        <message>
            <source>a list of at most {most} distinct items, each {item}</source>
            <translation>不超过 {most} 个互不重复的项目，每项为{item}</translation>
        </message>
        <message>
            <source>a mapping of at most {most} entries from {key} to {value}</source>
            <translation>不超过 {most} 条的对应关系，从{key}到{value}</translation>
        </message>
        <message>
            <source>an https:// URL with a host name and no user name or password (http:// only for localhost or 127.0.0.1)</source>
            <translation>带主机名、不含用户名和密码的 https:// 地址（仅 localhost 或 127.0.0.1 可使用 http://）</translation>
        </message>
        <message>
            <source>an extension number of 1 to 10 digits</source>
            <translation>1 到 10 位数字的分机号</translation>
        </message>
        <message>
            <source>an ID of 1 to 256 visible ASCII characters without spaces</source>
            <translation>由 1 到 256 个可见 ASCII 字符组成、不含空格的 ID</translation>
        </message>
        <message>
            <source>a CRM user ID (letters, digits, _ . @ -)</source>
            <translation>CRM 用户 ID（字母、数字、_ . @ -）</translation>
        </message>
        <message>
            <source>64 hex digits, optionally colon-separated</source>
            <translation>64 位十六进制数字，可用冒号分隔</translation>
        </message>
        <message>
            <source>a name of 1 to 63 printable characters</source>
            <translation>由 1 到 63 个可打印字符组成的名称</translation>
        </message>
        <message>
            <source>1 to 8 of 0-9 * #</source>
            <translation>1 到 8 个 0-9、* 或 # 字符</translation>
        </message>
        <message>
            <source>a layout of # and 0-9 ( ) . + / - and spaces</source>
            <translation>由 #、0-9、( ) . + / - 和空格组成的格式</translation>
        </message>
        <message>
            <source>true or false</source>
            <translation>true 或 false</translation>
        </message>
        <message>
            <source>text</source>
            <translation>文本</translation>
        </message>
        <message>
            <source>{rule}, or empty for not set</source>
            <translation>{rule}，或留空表示不设置</translation>
        </message>
        <message>
            <source>unknown setting {key} ignored; secrets belong in the keyring, never in settings</source>
            <translation>未知设置项 {key} 已忽略；密钥应保存在系统钥匙串中，不能写入设置</translation>
        </message>
        <message>
            <source>unknown setting {key} ignored</source>
            <translation>未知设置项 {key} 已忽略</translation>
        </message>
        <message>
            <source>unknown policy</source>
            <translation>未知策略</translation>
        </message>
        <message>
            <source>cannot save your settings to {path} ({why})</source>
            <translation>无法将您的设置保存到 {path}（{why}）</translation>
        </message>
        <message>
            <source>{source}: {message}</source>
            <translation>{source}：{message}</translation>
        </message>
        <message>
            <source>cannot list policy files ({why})</source>
            <translation>无法列出策略文件（{why}）</translation>
        </message>
        <message>
            <source>a policy file must hold a JSON object; ignored</source>
            <translation>策略文件必须包含 JSON 对象，已忽略</translation>
        </message>
        <message>
            <source>unreadable policy file, ignored ({why})</source>
            <translation>无法读取的策略文件，已忽略（{why}）</translation>
        </message>
        <message>
            <source>unreadable ({why}); kept as {name}, your settings start from the defaults</source>
            <translation>无法读取（{why}）；原文件已保留为 {name}，您的设置已恢复为默认值</translation>
        </message>
        <message>
            <source>cannot read your settings file {path} ({why})</source>
            <translation>无法读取您的设置文件 {path}（{why}）</translation>
        </message>
        <message>
            <source>it does not hold a JSON object</source>
            <translation>其中不是 JSON 对象</translation>
        </message>
        <message>
            <source> (CRM says: {words})</source>
            <translation>（CRM 返回：{words}）</translation>
        </message>
        <message>
            <source>contact</source>
            <translation>联系人</translation>
        </message>
        <message>
            <source>lead</source>
            <translation>线索</translation>
        </message>
        <message>
            <source>account</source>
            <translation>客户</translation>
        </message>
        <message>
            <source>{crm} refused the data with HTTP {status}{said}; correct it and try again.</source>
            <translation>{crm} 拒绝了数据（HTTP {status}）{said}；请更正后重试。</translation>
        </message>
        <message>
            <source>{crm} rejected the sign-in{said}. Connect to {crm} again in Settings.</source>
            <translation>{crm} 拒绝了登录{said}。请在设置中重新连接 {crm}。</translation>
        </message>
        <message>
            <source>{crm} is limiting requests{said}; try again in a moment.</source>
            <translation>{crm} 正在限制请求{said}；请稍后重试。</translation>
        </message>
        <message>
            <source>{crm} is limiting requests{said}; try again in {wait:.0f} s.</source>
            <translation>{crm} 正在限制请求{said}；请在 {wait:.0f} 秒后重试。</translation>
        </message>
        <message>
            <source>{crm} has no such record{said}; it may have been deleted.</source>
            <translation>{crm} 中没有该记录{said}；它可能已被删除。</translation>
        </message>
        <message>
            <source>{crm} failed with HTTP {status}{said}; try again later.</source>
            <translation>{crm} 出错（HTTP {status}）{said}；请稍后重试。</translation>
        </message>
        <message>
            <source>{crm} refused access{said}. Check the connected user's permissions and scopes.</source>
            <translation>{crm} 拒绝访问{said}。请检查所连接用户的权限和授权范围。</translation>
        </message>
        <message>
            <source>{crm} could not be reached ({why}); check the network connection and try again.</source>
            <translation>无法连接 {crm}（{why}）；请检查网络连接后重试。</translation>
        </message>
        <message>
            <source>{crm} did not answer in time; check the network connection and try again.</source>
            <translation>{crm} 未及时响应；请检查网络连接后重试。</translation>
        </message>
        <message>
            <source>{crm} answered with unexpected HTTP {status}.</source>
            <translation>{crm} 返回了意外的 HTTP {status}。</translation>
        </message>
        <message>
            <source>{crm} refused the request: the portal's daily API limit is used up.</source>
            <translation>{crm} 拒绝了请求：该门户当天的 API 调用额度已用完。</translation>
        </message>
        <message>
            <source>in {seconds} s</source>
            <translation>{seconds} 秒后</translation>
        </message>
        <message>
            <source>{crm} is limiting requests{said}; try again {when}.</source>
            <translation>{crm} 正在限制请求{said}；请{when}重试。</translation>
        </message>
        <message>
            <source>{crm} already has this record{said}.</source>
            <translation>{crm} 中已有此记录{said}。</translation>
        </message>
        <message>
            <source> in {fields}</source>
            <translation>字段 {fields} 中的</translation>
        </message>
        <message>
            <source>{crm} refused the data{named}{said}; correct it and try again.</source>
            <translation>{crm} 拒绝了{named}数据{said}；请更正后重试。</translation>
        </message>
        <message>
            <source>tomorrow</source>
            <translation>明天</translation>
        </message>
        <message>
            <source>later</source>
            <translation>稍后</translation>
        </message>
        <message>
            <source>{crm} keeps people as contacts only; a {kind} cannot be created.</source>
            <translation>{crm} 仅以联系人保存个人，无法创建{kind}。</translation>
        </message>
        <message>
            <source>{crm} needs a first name, last name or e-mail for a new contact.</source>
            <translation>在 {crm} 中新建联系人需要名字、姓氏或电子邮箱。</translation>
        </message>
        <message>
            <source>{crm} stored the recording without an https address; it cannot play it.</source>
            <translation>{crm} 保存的录音没有 https 地址，无法播放。</translation>
        </message>
        <message>
            <source>The {crm} account id is unknown; connect to {crm} again in Settings.</source>
            <translation>{crm} 账户 ID 未知；请在设置中重新连接 {crm}。</translation>
        </message>
        <message>
            <source>No web browser could be opened for the sign-in; set a default browser and try again.</source>
            <translation>无法打开浏览器进行登录；请设置默认浏览器后重试。</translation>
        </message>
        <message>
            <source> (HTTP {status})</source>
            <translation>（HTTP {status}）</translation>
        </message>
        <message>
            <source>{name} refused the sign-in{said}; check the Client ID, Client Secret and registered redirect URI, then connect again.</source>
            <translation>{name} 拒绝了登录{said}；请检查客户端 ID、客户端密钥和已登记的重定向 URI，然后重新连接。</translation>
        </message>
        <message>
            <source>The saved {name} sign-in {what}. Connect to {name} again in Settings.</source>
            <translation>已保存的 {name} 登录{what}。请在设置中重新连接 {name}。</translation>
        </message>
        <message>
            <source>The {name} sign-in answer did not match this request (state mismatch) and was refused; start connecting again.</source>
            <translation>{name} 的登录应答与本次请求不匹配（state 不一致），已拒绝；请重新开始连接。</translation>
        </message>
        <message>
            <source>{name} did not grant access{said}; approve the request to connect.</source>
            <translation>{name} 未授予访问权限{said}；请批准该请求以完成连接。</translation>
        </message>
        <message>
            <source>{name} did not say where its API is; try connecting again.</source>
            <translation>{name} 未告知其 API 地址；请重新连接。</translation>
        </message>
        <message>
            <source>{name} gave no refresh token; allow offline access and connect again.</source>
            <translation>{name} 未提供刷新令牌；请允许离线访问后重新连接。</translation>
        </message>
        <message>
            <source>{name} sent the sign-in to an unknown accounts server and it was refused; check the data centre in Settings.</source>
            <translation>{name} 将登录转到了未知的账户服务器，已拒绝；请在设置中检查数据中心。</translation>
        </message>
        <message>
            <source>HubSpot did not say which account was connected; try connecting again.</source>
            <translation>HubSpot 未告知连接的是哪个账户；请重新连接。</translation>
        </message>
        <message>
            <source>was refused before</source>
            <translation>之前已被拒绝</translation>
        </message>
        <message>
            <source>{name} is limiting sign-in requests; try again shortly.</source>
            <translation>{name} 正在限制登录请求；请稍后重试。</translation>
        </message>
        <message>
            <source>{name} sign-in server failed{said}; try again later.</source>
            <translation>{name} 登录服务器出错{said}；请稍后重试。</translation>
        </message>
        <message>
            <source>was refused{said}</source>
            <translation>被拒绝{said}</translation>
        </message>
        <message>
            <source>{name} did not refresh the sign-in{said}; try again later.</source>
            <translation>{name} 未能刷新登录{said}；请稍后重试。</translation>
        </message>
        <message>
            <source>Not connected to {name}; connect in Settings.</source>
            <translation>尚未连接 {name}；请在设置中连接。</translation>
        </message>
        <message>
            <source>No answer from the {name} sign-in page within {minutes:.0f} min; start connecting again.</source>
            <translation>{name} 登录页面在 {minutes:.0f} 分钟内没有响应；请重新开始连接。</translation>
        </message>
        <message>
            <source>Connected to {name}</source>
            <translation>已连接到 {name}</translation>
        </message>
        <message>
            <source>You can close this tab and return to Linkus Companion.</source>
            <translation>您可以关闭此标签页并返回 Linkus Companion。</translation>
        </message>
        <message>
            <source>Sign-in cancelled</source>
            <translation>登录已取消</translation>
        </message>
        <message>
            <source>You can close this tab.</source>
            <translation>您可以关闭此标签页。</translation>
        </message>
        <message>
            <source>{name} sign-in server could not be reached; check the network connection and try again.</source>
            <translation>无法连接 {name} 登录服务器；请检查网络连接后重试。</translation>
        </message>
        <message>
            <source>Sign-in failed</source>
            <translation>登录失败</translation>
        </message>
        <message>
            <source>Could not open the {name} sign-in page.</source>
            <translation>无法打开 {name} 登录页面。</translation>
        </message>
        <message>
            <source>the redirect URI must be an http:// loopback address (127.0.0.1 or localhost)</source>
            <translation>重定向 URI 必须是 http:// 本机回环地址（127.0.0.1 或 localhost）</translation>
        </message>
        <message>
            <source>Cannot listen for the sign-in redirect on {bind} port {port} ({why}); close the program using that port or choose another redirect port.</source>
            <translation>无法在 {bind} 的端口 {port} 上等待登录重定向（{why}）；请关闭占用该端口的程序，或选择其他重定向端口。</translation>
        </message>
        <message>
            <source>Not found</source>
            <translation>未找到</translation>
        </message>
        <message>
            <source>Nothing to see here.</source>
            <translation>此处没有内容。</translation>
        </message>
        <message>
            <source>the Salesforce login host must be an https:// address</source>
            <translation>Salesforce 登录主机必须是 https:// 地址</translation>
        </message>
        <message>
            <source>unknown Zoho data centre {location}</source>
            <translation>未知的 Zoho 数据中心 {location}</translation>
        </message>
        <message>
            <source>{crm} has no {state} state for {type} calls.</source>
            <translation>{crm} 的{type}通话没有 {state} 状态。</translation>
        </message>
        <message>
            <source>{crm} knows no click-to-dial error "{code}".</source>
            <translation>{crm} 没有一键呼叫错误“{code}”。</translation>
        </message>
        <message>
            <source>{crm} rejected the session{said}. Connect to {crm} again in Settings.</source>
            <translation>{crm} 拒绝了会话{said}。请在设置中重新连接 {crm}。</translation>
        </message>
        <message>
            <source>{crm} refused the request: the org's daily API request limit is used up.</source>
            <translation>{crm} 拒绝了请求：该组织当天的 API 请求额度已用完。</translation>
        </message>
        <message>
            <source>{crm} refused the request: the org's API request limit is reached{said}.</source>
            <translation>{crm} 拒绝了请求：组织的 API 请求限额已达到{said}。</translation>
        </message>
        <message>
            <source> in field {fields}</source>
            <translation>字段 {fields} 中的</translation>
        </message>
        <message>
            <source>{crm} can create contacts and leads here, not a {kind}.</source>
            <translation>{crm} 在此只能创建联系人和线索，不能创建{kind}。</translation>
        </message>
        <message>
            <source>This {crm} org offers no REST API version up to {pinned}.</source>
            <translation>此 {crm} 组织没有 {pinned} 及以下版本的 REST API。</translation>
        </message>
        <message>
            <source>The recording {name} is {kind}; {crm} plays only WAV and MP3 recordings. Set the PBX to record in WAV or MP3.</source>
            <translation>录音 {name} 的格式为 {kind}；{crm} 只能播放 WAV 和 MP3 录音。请将 PBX 设置为以 WAV 或 MP3 格式录音。</translation>
        </message>
        <message>
            <source>The recording {name} is {size} MB; {crm} takes files up to {limit} MB, so it was not uploaded. Deliver recordings as links (setting: Recording delivery) for calls this long.</source>
            <translation>录音 {name} 大小为 {size} MB；{crm} 只接受不超过 {limit} MB 的文件，因此未上传。对于这么长的通话，请改用链接方式提供录音（设置：录音提供方式）。</translation>
        </message>
        <message>
            <source>{crm} refused the request: the org's API credits for the day are used up.</source>
            <translation>{crm} 拒绝了请求：该组织当天的 API 积分已用完。</translation>
        </message>
        <message>
            <source>{crm} is limiting requests{said}; try again later.</source>
            <translation>{crm} 正在限制请求{said}；请稍后重试。</translation>
        </message>
        <message>
            <source>{crm} refused the data{said}; correct it and try again.</source>
            <translation>{crm} 拒绝了数据{said}；请更正后重试。</translation>
        </message>
        <message>
            <source>{crm} logs calls with customers only, not internal calls.</source>
            <translation>{crm} 只记录与客户的通话，不记录内部通话。</translation>
        </message>
        <message>
            <source>{crm} cannot create a {kind} from a call; choose contact or lead.</source>
            <translation>{crm} 无法从通话创建{kind}，请选择联系人或线索。</translation>
        </message>
        <message>
            <source>{crm}: {calls} calls, {lost} lost, {duplicated} duplicated, {created} records created, {pops} pops, {errors} errors</source>
            <translation>{crm}：通话 {calls} 通，丢失 {lost}，重复 {duplicated}，新建记录 {created} 条，弹屏 {pops} 次，错误 {errors} 个</translation>
        </message>
        <message>
            <source>some call logs were still undelivered when the demo stopped waiting</source>
            <translation>演示停止等待时，仍有部分通话记录未送达</translation>
        </message>
        <message>
            <source>Linkus Companion demo: extension 1001, {kind} emulator, {calls} scripted calls; quit from the tray.</source>
            <translation>Linkus Companion 演示：分机 1001，{kind} 模拟器，{calls} 通脚本通话；请从托盘退出。</translation>
        </message>
        <message>
            <source>signed in to the {kind} emulator at {url} through the OAuth loopback flow</source>
            <translation>已通过 OAuth 回环流程登录位于 {url} 的 {kind} 模拟器</translation>
        </message>
        <message>
            <source>extension {extension} is not bound: {why}</source>
            <translation>分机 {extension} 未绑定：{why}</translation>
        </message>
        <message>
            <source>click to call: {browser} opens {url} — click the call button beside a number</source>
            <translation>一键呼叫：{browser} 打开了 {url} —— 点击号码旁的呼叫按钮</translation>
        </message>
        <message>
            <source>click to call: no Chromium, Edge or Chrome found; install one to try the browser extension</source>
            <translation>一键呼叫：未找到 Chromium、Edge 或 Chrome；请安装其中之一以试用浏览器扩展</translation>
        </message>
        <message>
            <source>No display found: running the demo without windows (pops are printed as JSON lines).</source>
            <translation>未找到显示器：以无窗口方式运行演示（弹屏以 JSON 行打印）。</translation>
        </message>
        <message>
            <source>demo stopped</source>
            <translation>演示已停止</translation>
        </message>
        <message>
            <source>  error: {error}</source>
            <translation>  错误：{error}</translation>
        </message>
        <message>
            <source>report written to {path}</source>
            <translation>报告已写入 {path}</translation>
        </message>
        <message>
            <source>demo --gateway --ha needs a PostgreSQL server: {why}</source>
            <translation>demo --gateway --ha 需要 PostgreSQL 服务器：{why}</translation>
        </message>
        <message>
            <source>the extension has no e-mail address on the PBX</source>
            <translation>该分机在 PBX 上没有电子邮件地址</translation>
        </message>
        <message>
            <source>the manually bound CRM user {user} does not exist</source>
            <translation>手动绑定的 CRM 用户 {user} 不存在</translation>
        </message>
        <message>
            <source>{count} CRM users share the e-mail {email}; bind it manually</source>
            <translation>有 {count} 个 CRM 用户使用同一电子邮件 {email}；请手动绑定</translation>
        </message>
        <message>
            <source>no active CRM user has the e-mail {email}</source>
            <translation>没有使用电子邮件 {email} 的活跃 CRM 用户</translation>
        </message>
        <message>
            <source>the manually bound CRM user {user} is inactive</source>
            <translation>手动绑定的 CRM 用户 {user} 已停用</translation>
        </message>
        <message>
            <source>The PBX phonebook “{name}” already holds contacts, and contact sync only writes into an empty phonebook or one it creates. Choose a new name (it will be created) or empty that phonebook on the PBX.</source>
            <translation>PBX 企业联系人群组“{name}”中已有联系人，而联系人同步只写入空的群组或由它自己创建的群组。请换一个新名称（将自动创建），或在 PBX 上清空该群组。</translation>
        </message>
        <message>
            <source>The record's address is not a page of the configured CRM, so it was not opened.</source>
            <translation>该记录的地址不是所配置 CRM 的页面，因此未打开。</translation>
        </message>
        <message>
            <source>This caller is not in the CRM yet. Use Add to CRM to create a record.</source>
            <translation>此来电者尚不在 CRM 中。请使用“添加到 CRM”创建记录。</translation>
        </message>
        <message>
            <source>That record is not one of the matches for this call.</source>
            <translation>该记录不在此通话的匹配结果中。</translation>
        </message>
        <message>
            <source>This CRM has no such call outcome; pick one from the list.</source>
            <translation>此 CRM 没有这种通话结果；请从列表中选择一个。</translation>
        </message>
        <message>
            <source>Call logging is off, so the note has nowhere to go.</source>
            <translation>通话记录已关闭，备注无处保存。</translation>
        </message>
        <message>
            <source>This call has no CRM call log to add the note to.</source>
            <translation>此通话没有可添加备注的 CRM 通话记录。</translation>
        </message>
        <message>
            <source>This CRM cannot create a {kind}.</source>
            <translation>此 CRM 无法创建 {kind}。</translation>
        </message>
        <message>
            <source>That call is no longer known.</source>
            <translation>该通话已不存在。</translation>
        </message>
        <message>
            <source>Several CRM records share this number: pick one first.</source>
            <translation>多条 CRM 记录共用此号码：请先选择一条。</translation>
        </message>
        <message>
            <source>The CRM did not take the call log; the app's log file has the reason.</source>
            <translation>CRM 未接收此通话记录；原因请查看应用的日志文件。</translation>
        </message>
        <message>
            <source>The app failed on a call log or recording and tries it again later; the others go on.</source>
            <translation>应用处理一条通话记录或录音时出错，稍后会再试；其他的照常发送。</translation>
        </message>
        <message>
            <source>{logs} call log(s) and {others} recording upload(s) or call log update(s) could not be delivered and were set aside; the call history and the app's log file say why.</source>
            <translation>{logs} 条通话记录和 {others} 个录音上传或通话记录更新无法送达，已暂时搁置；原因请查看通话历史和应用的日志文件。</translation>
        </message>
        <message>
            <source>{count} call log(s) could not be delivered and were set aside; the call history says why.</source>
            <translation>{count} 条通话记录无法送达，已暂时搁置；原因请查看通话历史。</translation>
        </message>
        <message>
            <source>{count} recording upload(s) or call log update(s) could not be delivered and were set aside; the app's log file says why.</source>
            <translation>{count} 个录音上传或通话记录更新无法送达，已暂时搁置；原因请查看应用的日志文件。</translation>
        </message>
        <message>
            <source>{error} {count} call log(s) wait and go out by themselves once it resets (next try at {when} UTC).</source>
            <translation>{error} {count} 条通话记录正在等待，额度重置后会自动发送（下次尝试时间 {when} UTC）。</translation>
        </message>
        <message>
            <source>The app failed on this call log or recording {count} times and stopped trying; the app's log file has the reason.</source>
            <translation>应用处理此通话记录或录音已失败 {count} 次，已停止尝试；原因请查看应用的日志文件。</translation>
        </message>
        <message>
            <source>Recording uploads are not set up on this computer; use recording links.</source>
            <translation>此电脑未设置录音上传；请使用录音链接。</translation>
        </message>
        <message>
            <source>The PBX no longer has this call's recording, so it was not uploaded.</source>
            <translation>PBX 上已没有此通话的录音，因此未上传。</translation>
        </message>
        <message>
            <source>This recording link is unknown. A link served by a desktop's Linkus Companion only plays on that desktop; ask the person who made the call, or the administrator of the gateway.</source>
            <translation>此录音链接未知。由桌面端 Linkus Companion 提供的链接只能在该桌面上播放；请询问拨打电话的人或网关管理员。</translation>
        </message>
        <message>
            <source>This recording was deleted on the PBX, so it can no longer be played.</source>
            <translation>此录音已在 PBX 上删除，无法再播放。</translation>
        </message>
        <message>
            <source>This recording link was withdrawn by the administrator or has expired.</source>
            <translation>此录音链接已被管理员撤销或已过期。</translation>
        </message>
        <message>
            <source>Call recording</source>
            <translation>通话录音</translation>
        </message>
        <message>
            <source>Download the recording</source>
            <translation>下载录音</translation>
        </message>
        <message>
            <source>The recording could not be fetched from the PBX. {reason}</source>
            <translation>无法从 PBX 获取录音。{reason}</translation>
        </message>
        <message>
            <source>Enter the address of your site's gateway (setting gateway.url).</source>
            <translation>请输入您站点网关的地址（设置项 gateway.url）。</translation>
        </message>
        <message>
            <source>The gateway address must start with https:// (plain http only on this computer).</source>
            <translation>网关地址必须以 https:// 开头（仅本机地址可使用 http）。</translation>
        </message>
        <message>
            <source>Not connected to the gateway yet.</source>
            <translation>尚未连接到网关。</translation>
        </message>
        <message>
            <source>The gateway refused this desktop's renewed token.</source>
            <translation>网关拒绝了本电脑更新后的令牌。</translation>
        </message>
        <message>
            <source>The gateway sent a message this app does not understand.</source>
            <translation>网关发来了本应用无法识别的消息。</translation>
        </message>
        <message>
            <source>The gateway did not answer; try again.</source>
            <translation>网关没有响应；请重试。</translation>
        </message>
        <message>
            <source>The connection to the gateway dropped; try again.</source>
            <translation>与网关的连接已断开；请重试。</translation>
        </message>
        <message>
            <source>secrets are read from: {where}</source>
            <translation>密钥读取自：{where}</translation>
        </message>
        <message>
            <source>ok       store {where} (schema {version})</source>
            <translation>ok       store {where}（架构版本 {version}）</translation>
        </message>
        <message>
            <source>ok       CRM grant {name} shared by the replicas, sealed in the store</source>
            <translation>ok       CRM 授权 {name} 已加密保存在存储中，由各副本共用</translation>
        </message>
        <message>
            <source>Authorised the gateway's {crm} account; restart the gateway to use it.</source>
            <translation>已授权网关的 {crm} 账户；请重启网关以启用。</translation>
        </message>
        <message>
            <source>Enrollment for extension {extension} ({email}), one use, valid until {until} UTC:</source>
            <translation>分机 {extension}（{email}）的注册信息，仅可使用一次，有效期至 {until} UTC：</translation>
        </message>
        <message>
            <source>  code: {code}</source>
            <translation>  注册码：{code}</translation>
        </message>
        <message>
            <source>  link: {link}</source>
            <translation>  链接：{link}</translation>
        </message>
        <message>
            <source>revoked {count} session(s)</source>
            <translation>已撤销 {count} 个会话</translation>
        </message>
        <message>
            <source>Give every replica the same secret '{name}' (make it with `openssl rand -base64 32`): it seals the token signing key in the database.</source>
            <translation>请为每个副本提供相同的密钥“{name}”（可用 `openssl rand -base64 32` 生成）：它用于在数据库中加密保存令牌签名密钥。</translation>
        </message>
        <message>
            <source>secret {name}: {source}</source>
            <translation>密钥 {name}：{source}</translation>
        </message>
        <message>
            <source>PROBLEM  no CRM grant {name}: run `gateway authorize` on one replica</source>
            <translation>PROBLEM  没有 CRM 授权 {name}：请在任一副本上运行 `gateway authorize`</translation>
        </message>
        <message>
            <source>PROBLEM  config {why}</source>
            <translation>PROBLEM  config {why}</translation>
        </message>
        <message>
            <source>PROBLEM: not found in any source</source>
            <translation>PROBLEM：所有来源中都找不到</translation>
        </message>
        <message>
            <source>not set (only some CRM apps need it)</source>
            <translation>未设置（仅部分 CRM 应用需要）</translation>
        </message>
        <message>
            <source>PROBLEM  store {why}</source>
            <translation>PROBLEM  store {why}</translation>
        </message>
        <message>
            <source>ok       token signing key sealed in the store, opened with its secret</source>
            <translation>ok       令牌签名密钥已加密保存在存储中，并可用其密钥打开</translation>
        </message>
        <message>
            <source>PROBLEM  signing key {why}</source>
            <translation>PROBLEM  signing key {why}</translation>
        </message>
        <message>
            <source>PROBLEM  CRM grant {why}</source>
            <translation>PROBLEM  CRM 授权 {why}</translation>
        </message>
        <message>
            <source>Sign in to {crm} as the integration's admin user; if no browser opens, visit:</source>
            <translation>请以集成的管理员用户身份登录 {crm}；如果没有打开浏览器，请访问：</translation>
        </message>
        <message>
            <source>Authorise the CRM admin account for the gateway first.</source>
            <translation>请先为网关授权 CRM 管理员账户。</translation>
        </message>
        <message>
            <source>PROBLEM: {why}</source>
            <translation>PROBLEM：{why}</translation>
        </message>
        <message>
            <source>revoked</source>
            <translation>已撤销</translation>
        </message>
        <message>
            <source>active</source>
            <translation>有效</translation>
        </message>
        <message>
            <source>{path}: unknown [gateway] keys: {keys}</source>
            <translation>{path}：未知的 [gateway] 设置项：{keys}</translation>
        </message>
        <message>
            <source>{path}: [gateway] needs public_url and state_dir</source>
            <translation>{path}：[gateway] 需要 public_url 和 state_dir</translation>
        </message>
        <message>
            <source>{path}: [gateway] state must be a postgresql:// URL (or left out for SQLite)</source>
            <translation>{path}：[gateway] state 必须是 postgresql:// 地址（使用 SQLite 时可省略）</translation>
        </message>
        <message>
            <source>{path}: keep the database password out of the file; give it as the secret '{name}'</source>
            <translation>{path}：请勿将数据库密码写入该文件；请通过密钥“{name}”提供</translation>
        </message>
        <message>
            <source>{path}: [gateway] leader_lease must be a number of seconds from 1 to 300</source>
            <translation>{path}：[gateway] leader_lease 必须是 1 到 300 之间的秒数</translation>
        </message>
        <message>
            <source>{path}: give both tls_cert and tls_key, or neither</source>
            <translation>{path}：tls_cert 和 tls_key 需同时提供，或都不提供</translation>
        </message>
        <message>
            <source>The gateway's settings are read from its configuration file only.</source>
            <translation>网关的设置只从其配置文件读取。</translation>
        </message>
        <message>
            <source>cannot read the gateway configuration {path} ({why})</source>
            <translation>无法读取网关配置 {path}（{why}）</translation>
        </message>
        <message>
            <source>The gateway answered HTTP {status}; try again later.</source>
            <translation>网关返回 HTTP {status}；请稍后重试。</translation>
        </message>
        <message>
            <source>This desktop is not enrolled with the gateway: enter the code from your admin.</source>
            <translation>本电脑尚未在网关注册：请输入管理员提供的注册码。</translation>
        </message>
        <message>
            <source>The gateway refused this desktop.</source>
            <translation>网关拒绝了本电脑。</translation>
        </message>
        <message>
            <source>signed the gateway in to the {kind} emulator at {url} as the CRM admin</source>
            <translation>已以 CRM 管理员身份将网关登录到位于 {url} 的 {kind} 模拟器</translation>
        </message>
        <message>
            <source>gateway listening on {url}</source>
            <translation>网关正在 {url} 上监听</translation>
        </message>
        <message>
            <source>desktops {desktops} enrolled and connected</source>
            <translation>桌面端 {desktops} 已注册并连接</translation>
        </message>
        <message>
            <source>fail-overs: {count}, leader killed -&gt; new leader serving in {times}</source>
            <translation>故障切换：{count} 次，主节点被终止 -&gt; 新主节点开始服务用时 {times}</translation>
        </message>
        <message>
            <source>desktops {desktops} enrolled and connected ({placement})</source>
            <translation>桌面端 {desktops} 已注册并连接（{placement}）</translation>
        </message>
        <message>
            <source>fail-overs: 0</source>
            <translation>故障切换：0 次</translation>
        </message>
        <message>
            <source>{led} s (desktops back {back} s)</source>
            <translation>{led} 秒（桌面端 {back} 秒后恢复）</translation>
        </message>
        <message>
            <source>replicas: {leader} leads, {standby} stands by; desktops via {address}</source>
            <translation>副本：{leader} 为主节点，{standby} 待命；桌面端经由 {address} 连接</translation>
        </message>
        <message>
            <source>-- {name} (the leader) is killed during {during} --</source>
            <translation>-- 在{during}期间终止 {name}（主节点）--</translation>
        </message>
        <message>
            <source>-- {name} leads after {led} s; every desktop is back on it after {back} s --</source>
            <translation>-- {name} 在 {led} 秒后成为主节点；所有桌面端在 {back} 秒后重新连上它 --</translation>
        </message>
        <message>
            <source>-- {name} started as the new standby --</source>
            <translation>-- {name} 已作为新的待命副本启动 --</translation>
        </message>
        <message>
            <source>call {number}</source>
            <translation>第 {number} 通通话</translation>
        </message>
        <message>
            <source>That call is not one of this extension's calls.</source>
            <translation>该通话不属于此分机。</translation>
        </message>
        <message>
            <source>The gateway did not understand the request.</source>
            <translation>网关无法识别该请求。</translation>
        </message>
        <message>
            <source>The gateway failed to do that; its log says why.</source>
            <translation>网关未能完成该操作，原因请查看网关日志。</translation>
        </message>
        <message>
            <source>unhealthy: {why}</source>
            <translation>不健康：{why}</translation>
        </message>
        <message>
            <source>{crm} rejected the gateway's sign-in: the administrator must authorise it again (linkus-companion gateway authorize).</source>
            <translation>{crm} 拒绝了网关的登录：需由管理员重新授权（linkus-companion gateway authorize）。</translation>
        </message>
        <message>
            <source>The gateway could not reach its leader; try again in a moment.</source>
            <translation>网关无法连接主节点，请稍后重试。</translation>
        </message>
        <message>
            <source>The gateway's leader did not answer in time; try again in a moment.</source>
            <translation>网关主节点未及时响应，请稍后重试。</translation>
        </message>
        <message>
            <source>The gateway's leader could not do that.</source>
            <translation>网关主节点未能完成该操作。</translation>
        </message>
        <message>
            <source>The sealing secret is shorter than {count} characters; make one with `openssl rand -base64 32`.</source>
            <translation>加密密钥短于 {count} 个字符；请用 `openssl rand -base64 32` 生成。</translation>
        </message>
        <message>
            <source>token signing key</source>
            <translation>令牌签名密钥</translation>
        </message>
        <message>
            <source>The stored {context} is damaged; delete it to make a new one.</source>
            <translation>保存的{context}已损坏；请将其删除以重新生成。</translation>
        </message>
        <message>
            <source>The stored {context} does not open with this secret: give every replica the same secret it was sealed with.</source>
            <translation>无法用此密钥打开保存的{context}：请为每个副本提供加密时使用的同一密钥。</translation>
        </message>
        <message>
            <source>Send the access token as `Authorization: Bearer ...`.</source>
            <translation>请以 `Authorization: Bearer ...` 的形式发送访问令牌。</translation>
        </message>
        <message>
            <source>Send JSON with 'ticket'.</source>
            <translation>请发送包含 'ticket' 的 JSON。</translation>
        </message>
        <message>
            <source>Signing this browser in…</source>
            <translation>正在登录此浏览器…</translation>
        </message>
        <message>
            <source>This browser can now play the call recordings of this gateway.</source>
            <translation>此浏览器现在可以播放此网关的通话录音。</translation>
        </message>
        <message>
            <source>keyring {name}</source>
            <translation>密钥环 {name}</translation>
        </message>
        <message>
            <source>container secrets {path}</source>
            <translation>容器密钥 {path}</translation>
        </message>
        <message>
            <source>owner-only files {path}</source>
            <translation>仅属主可读的文件 {path}</translation>
        </message>
        <message>
            <source>systemd credentials {path}</source>
            <translation>systemd 凭据 {path}</translation>
        </message>
        <message>
            <source>environment {variable} (CI)</source>
            <translation>环境变量 {variable}（CI）</translation>
        </message>
        <message>
            <source>systemd credential {path}</source>
            <translation>systemd 凭据 {path}</translation>
        </message>
        <message>
            <source>container secret {path}</source>
            <translation>容器密钥 {path}</translation>
        </message>
        <message>
            <source>owner-only file {path}</source>
            <translation>仅属主可读的文件 {path}</translation>
        </message>
        <message>
            <source>cannot read the secret file {path} ({why}).</source>
            <translation>无法读取密钥文件 {path}（{why}）。</translation>
        </message>
        <message>
            <source>The secret file {path} can be read by others or is not the gateway user's; run: chown $(id -un) {path} &amp;&amp; chmod 600 {path}</source>
            <translation>密钥文件 {path} 可被他人读取，或不属于网关用户；请运行：chown $(id -un) {path} &amp;&amp; chmod 600 {path}</translation>
        </message>
        <message>
            <source>This sign-in link is used or expired; open a new one from Linkus Companion.</source>
            <translation>此登录链接已使用或已过期；请从 Linkus Companion 重新打开一个。</translation>
        </message>
        <message>
            <source>This desktop's gateway session was revoked; enroll it again.</source>
            <translation>本电脑的网关会话已被撤销；请重新注册。</translation>
        </message>
        <message>
            <source>This enrollment code is unknown, used or expired; ask the administrator for a new one.</source>
            <translation>该注册码无效、已使用或已过期，请向管理员索取新的注册码。</translation>
        </message>
        <message>
            <source>This desktop's gateway session was revoked or replaced; enroll it again with a new code.</source>
            <translation>本电脑的网关会话已被撤销或替换，请使用新的注册码重新注册。</translation>
        </message>
        <message>
            <source>The access token expired; refresh it.</source>
            <translation>访问令牌已过期；请刷新。</translation>
        </message>
        <message>
            <source>The access token was refused; sign this desktop in to the gateway again.</source>
            <translation>访问令牌被拒绝；请让本电脑重新登录网关。</translation>
        </message>
        <message>
            <source>Cannot reach the gateway at {url}; check the network connection and that the gateway service runs.</source>
            <translation>无法连接 {url} 的网关；请检查网络连接以及网关服务是否在运行。</translation>
        </message>
        <message>
            <source>The gateway at {url} did not prove its identity (its certificate is not trusted on this computer); ask your administrator.</source>
            <translation>{url} 的网关未能证明其身份（本机不信任其证书）；请联系管理员。</translation>
        </message>
        <message>
            <source>The secure connection to the gateway at {url} failed; check the address in Settings with your administrator.</source>
            <translation>与 {url} 网关的安全连接失败；请与管理员核对设置中的地址。</translation>
        </message>
        <message>
            <source>The gateway's address {url} cannot be found; check it in Settings and that this computer is on the network.</source>
            <translation>找不到网关地址 {url}；请检查设置中的地址，并确认本机已连接网络。</translation>
        </message>
        <message>
            <source>Cannot reach the gateway at {url}: nothing answers there. Check that the gateway service runs and that the address in Settings is right.</source>
            <translation>无法连接 {url} 的网关：该地址无应答。请检查网关服务是否在运行，以及设置中的地址是否正确。</translation>
        </message>
        <message>
            <source>The gateway at {url} does not answer in time; check the network connection (VPN, firewall) and try again.</source>
            <translation>{url} 的网关未及时应答；请检查网络连接（VPN、防火墙）后重试。</translation>
        </message>
        <message>
            <source>The connection to the gateway at {url} dropped; reconnecting.</source>
            <translation>与 {url} 网关的连接已断开；正在重新连接。</translation>
        </message>
        <message>
            <source>The server at {url} did not accept the desktop connection (not a gateway, or a proxy is in the way); check the address in Settings.</source>
            <translation>{url} 的服务器未接受桌面连接（它不是网关，或中间有代理）；请检查设置中的地址。</translation>
        </message>
        <message>
            <source>Not configured: {why}</source>
            <translation>尚未配置：{why}</translation>
        </message>
        <message>
            <source>The CRM integration is disabled: calls are not looked up or logged (Settings &gt; CRM &gt; Enable).</source>
            <translation>CRM 集成已禁用：通话不会查询或记录（设置 &gt; CRM &gt; 启用）。</translation>
        </message>
        <message>
            <source>Disconnected from the CRM: authorise it again in Settings &gt; CRM to resume.</source>
            <translation>已与 CRM 取消对接：如需恢复，请在“设置 &gt; CRM”中重新授权。</translation>
        </message>
        <message>
            <source>The CRM integration is not running yet: check the PBX connection first.</source>
            <translation>CRM 集成尚未运行：请先检查 PBX 连接。</translation>
        </message>
        <message>
            <source>Not connected to the PBX yet.</source>
            <translation>尚未连接到 PBX。</translation>
        </message>
        <message>
            <source>it is signed by an authority this computer does not trust</source>
            <translation>它由此电脑不信任的证书颁发机构签发</translation>
        </message>
        <message>
            <source>its certificate is not trusted on this computer</source>
            <translation>其证书在此电脑上不受信任</translation>
        </message>
        <message>
            <source>the secure connection failed</source>
            <translation>安全连接失败</translation>
        </message>
        <message>
            <source>the address cannot be found</source>
            <translation>找不到该地址</translation>
        </message>
        <message>
            <source>the connection was refused</source>
            <translation>连接被拒绝</translation>
        </message>
        <message>
            <source>it did not answer in time</source>
            <translation>未及时响应</translation>
        </message>
        <message>
            <source>the connection dropped</source>
            <translation>连接已断开</translation>
        </message>
        <message>
            <source>the server did not accept the connection</source>
            <translation>服务器未接受连接</translation>
        </message>
        <message>
            <source>the network connection failed</source>
            <translation>网络连接失败</translation>
        </message>
        <message>
            <source>it is not valid yet (check this computer's clock)</source>
            <translation>它尚未生效（请检查此电脑的时钟）</translation>
        </message>
        <message>
            <source>it has expired</source>
            <translation>它已过期</translation>
        </message>
        <message>
            <source>it is self-signed</source>
            <translation>它是自签名证书</translation>
        </message>
        <message>
            <source>it has been revoked</source>
            <translation>它已被吊销</translation>
        </message>
        <message>
            <source>it was issued for another name</source>
            <translation>它是为另一个名称签发的</translation>
        </message>
        <message>
            <source>it was issued for another address</source>
            <translation>它是为另一个地址签发的</translation>
        </message>
        <message>
            <source>it is not the certificate whose fingerprint is pinned</source>
            <translation>它不是已固定指纹的那张证书</translation>
        </message>
        <message>
            <source>it is not trusted on this computer</source>
            <translation>它在此电脑上不受信任</translation>
        </message>
        <message>
            <source>permission denied</source>
            <translation>权限不足</translation>
        </message>
        <message>
            <source>the disk is full</source>
            <translation>磁盘已满</translation>
        </message>
        <message>
            <source>too many files are open</source>
            <translation>打开的文件过多</translation>
        </message>
        <message>
            <source>it does not exist</source>
            <translation>它不存在</translation>
        </message>
        <message>
            <source>a file or folder of that name is already there</source>
            <translation>已存在同名的文件或文件夹</translation>
        </message>
        <message>
            <source>the disk is read-only</source>
            <translation>磁盘为只读</translation>
        </message>
        <message>
            <source>it is a folder, not a file</source>
            <translation>它是文件夹，而不是文件</translation>
        </message>
        <message>
            <source>a part of the path is not a folder</source>
            <translation>路径中有一部分不是文件夹</translation>
        </message>
        <message>
            <source>the name is too long</source>
            <translation>名称过长</translation>
        </message>
        <message>
            <source>the disk reported a read or write error</source>
            <translation>磁盘报告了读写错误</translation>
        </message>
        <message>
            <source>another program already uses it</source>
            <translation>另一个程序正在使用它</translation>
        </message>
        <message>
            <source>this computer has no such address</source>
            <translation>本电脑没有这个地址</translation>
        </message>
        <message>
            <source>it is a symbolic link, which is not followed</source>
            <translation>它是符号链接，不会被跟随</translation>
        </message>
        <message>
            <source>its content is not valid{detail}</source>
            <translation>其内容无效{detail}</translation>
        </message>
        <message>
            <source> (the system says: {words})</source>
            <translation>（系统返回：{words}）</translation>
        </message>
        <message>
            <source>it is not valid JSON (line {line}, column {column})</source>
            <translation>它不是有效的 JSON（第 {line} 行，第 {column} 列）</translation>
        </message>
        <message>
            <source>it is not valid TOML{detail}</source>
            <translation>它不是有效的 TOML{detail}</translation>
        </message>
        <message>
            <source>it is not UTF-8 text</source>
            <translation>它不是 UTF-8 文本</translation>
        </message>
        <message>
            <source>the system refused it{detail}</source>
            <translation>系统拒绝了该操作{detail}</translation>
        </message>
        <message>
            <source>The PBX answered HTTP {status} to the recording download.</source>
            <translation>PBX 对录音下载返回了 HTTP {status}。</translation>
        </message>
        <message>
            <source>downloading the recording</source>
            <translation>下载录音</translation>
        </message>
        <message>
            <source>The PBX answered without the requested data.</source>
            <translation>PBX 的应答中没有所请求的数据。</translation>
        </message>
        <message>
            <source>The PBX did not return the id of the new entry.</source>
            <translation>PBX 未返回新条目的 ID。</translation>
        </message>
        <message>
            <source>reading the PBX information</source>
            <translation>读取 PBX 信息</translation>
        </message>
        <message>
            <source>listing extensions</source>
            <translation>列出分机</translation>
        </message>
        <message>
            <source>searching extensions</source>
            <translation>搜索分机</translation>
        </message>
        <message>
            <source>dialling {number}</source>
            <translation>拨打 {number}</translation>
        </message>
        <message>
            <source>querying calls</source>
            <translation>查询通话</translation>
        </message>
        <message>
            <source>hanging up</source>
            <translation>挂断通话</translation>
        </message>
        <message>
            <source>searching company contacts</source>
            <translation>搜索企业联系人</translation>
        </message>
        <message>
            <source>listing company contacts</source>
            <translation>列出企业联系人</translation>
        </message>
        <message>
            <source>reading a company contact</source>
            <translation>读取企业联系人</translation>
        </message>
        <message>
            <source>creating a company contact</source>
            <translation>创建企业联系人</translation>
        </message>
        <message>
            <source>updating a company contact</source>
            <translation>更新企业联系人</translation>
        </message>
        <message>
            <source>deleting a company contact</source>
            <translation>删除企业联系人</translation>
        </message>
        <message>
            <source>creating a phonebook</source>
            <translation>创建企业联系人群组</translation>
        </message>
        <message>
            <source>updating a phonebook</source>
            <translation>更新企业联系人群组</translation>
        </message>
        <message>
            <source>reading a phonebook</source>
            <translation>读取企业联系人群组</translation>
        </message>
        <message>
            <source>searching phonebooks</source>
            <translation>搜索企业联系人群组</translation>
        </message>
        <message>
            <source>listing phonebooks</source>
            <translation>列出企业联系人群组</translation>
        </message>
        <message>
            <source>deleting a phonebook</source>
            <translation>删除企业联系人群组</translation>
        </message>
        <message>
            <source>searching call records</source>
            <translation>搜索通话记录</translation>
        </message>
        <message>
            <source>preparing a recording download</source>
            <translation>准备下载录音</translation>
        </message>
        <message>
            <source>The PBX did not say where to download the recording.</source>
            <translation>PBX 未告知录音的下载地址。</translation>
        </message>
        <message>
            <source>The PBX sent data Linkus Companion cannot read; check that its firmware is supported.</source>
            <translation>PBX 发送了 Linkus Companion 无法读取的数据；请确认其固件版本受支持。</translation>
        </message>
        <message>
            <source>The PBX sent an unreadable answer while {action}.</source>
            <translation>PBX 在{action}时返回了无法读取的应答。</translation>
        </message>
        <message>
            <source>The PBX sent unreadable system information.</source>
            <translation>PBX 发来了无法读取的系统信息。</translation>
        </message>
        <message>
            <source>listing queues and ring groups</source>
            <translation>列出队列和响铃组</translation>
        </message>
        <message>
            <source>The PBX refused {action} (error {code} {said}).</source>
            <translation>PBX 拒绝了{action}（错误 {code} {said}）。</translation>
        </message>
        <message>
            <source>The PBX reported an internal error; try again in a minute.</source>
            <translation>PBX 报告了内部错误；请一分钟后重试。</translation>
        </message>
        <message>
            <source>The PBX does not offer this API; upgrade the PBX firmware.</source>
            <translation>PBX 不提供此 API；请升级 PBX 固件。</translation>
        </message>
        <message>
            <source>The PBX no longer maintains this API version; upgrade Linkus Companion.</source>
            <translation>PBX 已不再维护此 API 版本；请升级 Linkus Companion。</translation>
        </message>
        <message>
            <source>The PBX does not support this API version; upgrade the PBX firmware.</source>
            <translation>PBX 不支持此 API 版本；请升级 PBX 固件。</translation>
        </message>
        <message>
            <source>The PBX keeps rejecting new API tokens; check the PBX clock and that the API is enabled at Integrations &gt; API.</source>
            <translation>PBX 一直拒绝新的 API 令牌；请检查 PBX 时钟，并确认已在 集成 &gt; API 中启用 API。</translation>
        </message>
        <message>
            <source>The PBX API application lacks permission for this; check Integrations &gt; API.</source>
            <translation>PBX 的 API 应用没有此操作的权限；请检查 集成 &gt; API。</translation>
        </message>
        <message>
            <source>The PBX could not read the request; please report this problem.</source>
            <translation>PBX 无法读取该请求；请报告此问题。</translation>
        </message>
        <message>
            <source>The PBX refused a missing or invalid value.</source>
            <translation>PBX 拒绝了缺失或无效的值。</translation>
        </message>
        <message>
            <source>The PBX already has an entry with this value.</source>
            <translation>PBX 中已有相同值的条目。</translation>
        </message>
        <message>
            <source>The file is larger than the PBX accepts.</source>
            <translation>文件超过了 PBX 允许的大小。</translation>
        </message>
        <message>
            <source>The PBX has no such entry; it may have been deleted.</source>
            <translation>PBX 中没有此条目；它可能已被删除。</translation>
        </message>
        <message>
            <source>A PBX limit was reached; delete unused entries on the PBX first.</source>
            <translation>已达到 PBX 的数量上限；请先在 PBX 上删除不用的条目。</translation>
        </message>
        <message>
            <source>The PBX has blocked this computer's IP address after failed logins; unblock it at Security &gt; Security Rules &gt; Blocked IPs.</source>
            <translation>由于登录失败次数过多，PBX 已封禁本机 IP 地址；请在 安全 &gt; 安全规则 &gt; IP 黑名单 中解除封禁。</translation>
        </message>
        <message>
            <source>The PBX does not allow this action.</source>
            <translation>PBX 不允许此操作。</translation>
        </message>
        <message>
            <source>The PBX only accepts API requests from allowed IP addresses; add this computer's address at Integrations &gt; API.</source>
            <translation>PBX 只接受来自允许 IP 地址的 API 请求；请在 集成 &gt; API 中添加本机地址。</translation>
        </message>
        <message>
            <source>The contact still belongs to a phonebook; remove it from the phonebook first.</source>
            <translation>该联系人仍属于某个企业联系人群组；请先将其从群组中移除。</translation>
        </message>
        <message>
            <source>The PBX phonebook does not exist; it may have been deleted.</source>
            <translation>PBX 企业联系人群组不存在；它可能已被删除。</translation>
        </message>
        <message>
            <source>The PBX organisation is disabled; ask the PBX administrator.</source>
            <translation>PBX 组织已被禁用；请联系 PBX 管理员。</translation>
        </message>
        <message>
            <source>{message} Fields concerned: {fields}.</source>
            <translation>{message} 涉及的字段：{fields}。</translation>
        </message>
        <message>
            <source>Renewing the PBX token; reconnecting.</source>
            <translation>正在更新 PBX 令牌；正在重新连接。</translation>
        </message>
        <message>
            <source>The PBX token expired; reconnecting with a new one.</source>
            <translation>PBX 令牌已过期；正在使用新令牌重新连接。</translation>
        </message>
        <message>
            <source>The PBX refused the event subscription (error {errcode}).</source>
            <translation>PBX 拒绝了事件订阅（错误 {errcode}）。</translation>
        </message>
        <message>
            <source>The PBX event connection was lost ({why}); reconnecting.</source>
            <translation>与 PBX 的事件连接已断开（{why}）；正在重新连接。</translation>
        </message>
        <message>
            <source>The PBX refused the event connection (HTTP {status}); retrying.</source>
            <translation>PBX 拒绝了事件连接（HTTP {status}）；正在重试。</translation>
        </message>
        <message>
            <source>Could not read a finished call from the PBX call records; reconnecting to recover it.</source>
            <translation>无法从 PBX 通话记录中读取已结束的通话；正在重新连接以恢复该通话。</translation>
        </message>
        <message>
            <source>The PBX event stream stopped after an unexpected error; restart Linkus Companion and report the problem with its log file if it happens again.</source>
            <translation>PBX 事件流因意外错误而停止；请重新启动 Linkus Companion，如再次发生，请连同日志文件报告该问题。</translation>
        </message>
        <message>
            <source>The PBX stopped answering heartbeats; reconnecting.</source>
            <translation>PBX 不再响应心跳；正在重新连接。</translation>
        </message>
        <message>
            <source>The PBX certificate could not be verified ({why}); check the TLS settings.</source>
            <translation>无法验证 PBX 证书（{why}）；请检查 TLS 设置。</translation>
        </message>
        <message>
            <source>The PBX closed the event connection while subscribing.</source>
            <translation>PBX 在订阅过程中关闭了事件连接。</translation>
        </message>
        <message>
            <source>The PBX closed the event connection (code {code}).</source>
            <translation>PBX 关闭了事件连接（代码 {code}）。</translation>
        </message>
        <message>
            <source>The PBX event connection dropped without a closing message.</source>
            <translation>PBX 事件连接在未发送关闭消息的情况下断开了。</translation>
        </message>
        <message>
            <source>The PBX firmware {firmware} is older than {minimum}; upgrade the PBX before relying on it.</source>
            <translation>PBX 固件 {firmware} 早于 {minimum}；请先升级 PBX 再使用。</translation>
        </message>
        <message>
            <source>The PBX reports firmware {firmware}; Linkus Companion cannot check it is recent enough.</source>
            <translation>PBX 报告的固件为 {firmware}；Linkus Companion 无法确认它是否足够新。</translation>
        </message>
        <message>
            <source>a SHA-256 certificate fingerprint has 64 hexadecimal digits (colons optional)</source>
            <translation>SHA-256 证书指纹由 64 个十六进制数字组成（冒号可选）</translation>
        </message>
        <message>
            <source>it holds no certificate in PEM format</source>
            <translation>其中没有 PEM 格式的证书</translation>
        </message>
        <message>
            <source>The PBX's CA file {path} cannot be used ({why}); choose the CA certificate (PEM) in the connection settings.</source>
            <translation>无法使用 PBX 的 CA 证书文件 {path}（{why}）；请在连接设置中选择 CA 证书（PEM）。</translation>
        </message>
        <message>
            <source>The PBX refused the API Client ID or Client Secret; copy both again from Integrations &gt; API on the PBX. Linkus Companion stopped logging in so that the PBX does not block this computer's IP address (it blocks after 5 failed logins).</source>
            <translation>PBX 拒绝了 API 客户端 ID 或客户端密钥；请从 PBX 的 集成 &gt; API 重新复制两者。Linkus Companion 已停止登录，以免 PBX 封禁本机 IP 地址（登录失败 5 次后会被封禁）。</translation>
        </message>
        <message>
            <source>The PBX refused a new API token: an API application may hold only 8 at a time. Close other copies of Linkus Companion (or connect them through the gateway), or wait up to 30 minutes.</source>
            <translation>PBX 拒绝发放新的 API 令牌：每个 API 应用同时最多持有 8 个令牌。请关闭其他 Linkus Companion 副本（或让它们通过网关连接），或最多等待 30 分钟。</translation>
        </message>
        <message>
            <source>the login</source>
            <translation>登录请求</translation>
        </message>
        <message>
            <source>The PBX at {host} sent an unreadable token answer; check the address is the PBX.</source>
            <translation>{host} 上的 PBX 返回了无法读取的令牌应答；请确认该地址确实是 PBX。</translation>
        </message>
        <message>
            <source>Check the address and that this computer is on the network.</source>
            <translation>请检查地址，并确认此电脑已连接网络。</translation>
        </message>
        <message>
            <source>Check the address and port, and that the PBX is running.</source>
            <translation>请检查地址和端口，并确认 PBX 正在运行。</translation>
        </message>
        <message>
            <source>Check that the PBX is running and that no firewall or VPN is in the way.</source>
            <translation>请确认 PBX 正在运行，并且没有防火墙或 VPN 阻挡。</translation>
        </message>
        <message>
            <source>Check that the port is the PBX web interface's, then try again.</source>
            <translation>请确认该端口是 PBX 网页管理界面的端口，然后重试。</translation>
        </message>
        <message>
            <source>Check the address, port and network.</source>
            <translation>请检查地址、端口和网络。</translation>
        </message>
        <message>
            <source>Cannot reach the PBX at {host}: {why}. {advice}</source>
            <translation>无法连接位于 {host} 的 PBX：{why}。{advice}</translation>
        </message>
        <message>
            <source>the PBX address must look like https://pbx.example.com:8088</source>
            <translation>PBX 地址应形如 https://pbx.example.com:8088</translation>
        </message>
        <message>
            <source>The PBX at {host} answered HTTP {status}; check that the address and port are the PBX web interface and that the API is enabled.</source>
            <translation>位于 {host} 的 PBX 返回了 HTTP {status}；请确认地址和端口是 PBX 网页管理界面，并且已启用 API。</translation>
        </message>
        <message>
            <source>The server at {host} does not speak the Yeastar Open API.</source>
            <translation>{host} 上的服务器不支持 Yeastar Open API。</translation>
        </message>
        <message>
            <source>The certificate of the PBX at {host} could not be verified ({why}); set the PBX's CA file or pin its certificate fingerprint in the connection settings.</source>
            <translation>无法验证位于 {host} 的 PBX 的证书（{why}）；请在连接设置中设置 PBX 的 CA 文件或固定其证书指纹。</translation>
        </message>
        <message>
            <source>The secure connection to the PBX at {host} failed; check that the port is the PBX's HTTPS web port (or use http:// for a plain HTTP port).</source>
            <translation>与位于 {host} 的 PBX 建立安全连接失败；请确认该端口是 PBX 的 HTTPS 网页端口（普通 HTTP 端口请使用 http://）。</translation>
        </message>
        <message>
            <source>The request to the PBX is too long to send ({endpoint}); retrying will not help.</source>
            <translation>发往 PBX 的请求过长，无法发送（{endpoint}）；重试也无济于事。</translation>
        </message>
        <message>
            <source>A phone number has at most {most} characters; this has {count}.</source>
            <translation>电话号码最多 {most} 个字符，此号码有 {count} 个。</translation>
        </message>
        <message>
            <source>"{number}" is not a phone number.</source>
            <translation>“{number}”不是电话号码。</translation>
        </message>
        <message>
            <source>"{number}" has no digits.</source>
            <translation>“{number}”中没有数字。</translation>
        </message>
        <message>
            <source>"{number}" is not a complete phone number for region {region}.</source>
            <translation>对于地区 {region}，“{number}”不是完整的电话号码。</translation>
        </message>
        <message>
            <source>No number given: use `linkus-companion dial NUMBER` or click a tel: link.</source>
            <translation>未提供号码：请使用 `linkus-companion dial 号码`，或点击 tel: 链接。</translation>
        </message>
        <message>
            <source>That is too long to be a phone number ({count} characters).</source>
            <translation>内容太长，不是电话号码（{count} 个字符）。</translation>
        </message>
        <message>
            <source>A phone number cannot contain control characters.</source>
            <translation>电话号码不能包含控制字符。</translation>
        </message>
        <message>
            <source>No number given.</source>
            <translation>未提供号码。</translation>
        </message>
        <message>
            <source>"{number}" is not a phone number: use digits, an optional leading +, * and #.</source>
            <translation>“{number}”不是电话号码：请使用数字，可在开头加 +，也可使用 * 和 #。</translation>
        </message>
        <message>
            <source>"{number}" is too long for a phone number (at most {count} digits).</source>
            <translation>“{number}”作为电话号码太长（最多 {count} 位数字）。</translation>
        </message>
        <message>
            <source>Only tel: and callto: links can be dialled, not {scheme}: links.</source>
            <translation>只能拨打 tel: 和 callto: 链接，不能拨打 {scheme}: 链接。</translation>
        </message>
        <message>
            <source>The link's number is not valid percent-encoded text.</source>
            <translation>链接中的号码不是有效的百分号编码文本。</translation>
        </message>
        <message>
            <source>Linkus Companion hit an unexpected error; the details are in {path}. Restart it if something no longer works, and report the problem with that file.</source>
            <translation>Linkus Companion 遇到意外错误；详细信息在 {path} 中。如有功能失常，请重新启动它，并附上该文件报告问题。</translation>
        </message>
        <message>
            <source>extension folder (Load unpacked): {path}</source>
            <translation>扩展文件夹（加载已解压的扩展程序）：{path}</translation>
        </message>
        <message>
            <source>extension id: {id}</source>
            <translation>扩展 ID：{id}</translation>
        </message>
        <message>
            <source>removed the native messaging host registration</source>
            <translation>已移除本机消息主机的注册</translation>
        </message>
        <message>
            <source>{path}: {count} files</source>
            <translation>{path}：{count} 个文件</translation>
        </message>
        <message>
            <source>registered the native messaging host: {path}</source>
            <translation>已注册本机消息主机：{path}</translation>
        </message>
        <message>
            <source>the native messaging host is registered for Chrome, Edge, Chromium and Firefox</source>
            <translation>本机消息主机已为 Chrome、Edge、Chromium 和 Firefox 注册</translation>
        </message>
        <message>
            <source>Linkus Companion is not running on this computer; start it and try again.</source>
            <translation>Linkus Companion 未在本机运行，请启动后重试。</translation>
        </message>
        <message>
            <source>This program only answers the Linkus Companion extension.</source>
            <translation>此程序只响应 Linkus Companion 浏览器扩展。</translation>
        </message>
        <message>
            <source>the host program {path} is missing</source>
            <translation>缺少宿主程序 {path}</translation>
        </message>
        <message>
            <source>{browser}: the registry key {key} is missing</source>
            <translation>{browser}：缺少注册表项 {key}</translation>
        </message>
        <message>
            <source>{browser}: the manifest at {path} is outdated or changed</source>
            <translation>{browser}：{path} 处的清单已过期或被更改</translation>
        </message>
        <message>
            <source>{browser}: no readable manifest at {path}</source>
            <translation>{browser}：{path} 处没有可读取的清单</translation>
        </message>
        <message>
            <source>The message header was cut short.</source>
            <translation>消息头不完整。</translation>
        </message>
        <message>
            <source>The message is {size} bytes; at most {most} are accepted.</source>
            <translation>消息大小为 {size} 字节，最多只接受 {most} 字节。</translation>
        </message>
        <message>
            <source>The message was cut short.</source>
            <translation>消息不完整。</translation>
        </message>
        <message>
            <source>A reply of {size} bytes is over the browser's limit.</source>
            <translation>{size} 字节的回复超出了浏览器的限制。</translation>
        </message>
        <message>
            <source>The message must be a JSON object.</source>
            <translation>消息必须是 JSON 对象。</translation>
        </message>
        <message>
            <source>Unknown message type.</source>
            <translation>未知的消息类型。</translation>
        </message>
        <message>
            <source>A dial message needs a number.</source>
            <translation>拨号消息需要包含号码。</translation>
        </message>
        <message>
            <source>The message is not valid UTF-8 JSON.</source>
            <translation>消息不是有效的 UTF-8 JSON。</translation>
        </message>
        <message>
            <source>Unexpected field "{name}" in a {kind} message.</source>
            <translation>{kind} 消息中出现了意外的字段“{name}”。</translation>
        </message>
        <message>
            <source>The field "{name}" must be a string.</source>
            <translation>字段“{name}”必须是字符串。</translation>
        </message>
        <message>
            <source>The field "{name}" is longer than {most} characters.</source>
            <translation>字段“{name}”超过了 {most} 个字符。</translation>
        </message>
        <message>
            <source>Another Linkus Companion is starting and did not finish; try again.</source>
            <translation>另一个 Linkus Companion 正在启动且尚未完成，请重试。</translation>
        </message>
        <message>
            <source>Linkus Companion sent an answer that cannot be read.</source>
            <translation>Linkus Companion 返回了无法读取的应答。</translation>
        </message>
        <message>
            <source>Linkus Companion did not take the request; try again.</source>
            <translation>Linkus Companion 未接受该请求，请重试。</translation>
        </message>
        <message>
            <source>Linkus Companion did not answer in time; try again.</source>
            <translation>Linkus Companion 未及时响应，请重试。</translation>
        </message>
        <message>
            <source>Cannot listen on {name}: {why}</source>
            <translation>无法在 {name} 上监听：{why}</translation>
        </message>
        <message>
            <source>{port} is not a port number: choose one from 1 to 65535, or 0 for any free port</source>
            <translation>{port} 不是有效的端口号：请选择 1 到 65535 之间的端口，或用 0 表示任意空闲端口</translation>
        </message>
        <message>
            <source>cannot listen on {host}:{port} ({why}): check the address</source>
            <translation>无法在 {host}:{port} 上监听（{why}）：请检查地址</translation>
        </message>
        <message>
            <source>port {port} on {host} is already in use: stop the program using it or choose another port</source>
            <translation>{host} 上的端口 {port} 已被占用：请停止占用它的程序，或选择其他端口</translation>
        </message>
        <message>
            <source>port {port} on {host} needs more privileges: pick a port above 1023</source>
            <translation>{host} 上的端口 {port} 需要更高权限：请选择 1023 以上的端口</translation>
        </message>
        <message>
            <source>Choose the CRM (setting crm.kind: hubspot, salesforce or zoho).</source>
            <translation>请选择 CRM（设置项 crm.kind：hubspot、salesforce 或 zoho）。</translation>
        </message>
        <message>
            <source>Enter the CRM app's client ID (setting crm.client_id).</source>
            <translation>请输入 CRM 应用的客户端 ID（设置项 crm.client_id）。</translation>
        </message>
        <message>
            <source>Enter the PBX address, the Open API Client ID and Client Secret (Integrations &gt; API on the PBX).</source>
            <translation>请输入 PBX 地址、Open API 客户端 ID 和客户端密钥（见 PBX 的 集成 &gt; API）。</translation>
        </message>
        <message>
            <source>Enter your extension number (setting pbx.extensions).</source>
            <translation>请输入您的分机号（设置项 pbx.extensions）。</translation>
        </message>
        <message>
            <source>Sign in to the CRM first (Settings &gt; CRM &gt; Authorise).</source>
            <translation>请先登录 CRM（设置 &gt; CRM &gt; 授权）。</translation>
        </message>
        <message>
            <source>The system's secure credential storage is not available. Unlock or install a keyring (Windows Credential Manager, macOS Keychain, or a Secret Service such as GNOME Keyring) and try again.</source>
            <translation>系统的安全凭据存储不可用。请解锁或安装密钥环（Windows 凭据管理器、macOS 钥匙串，或 GNOME Keyring 等 Secret Service）后重试。</translation>
        </message>
        <message>
            <source>known caller to 1001</source>
            <translation>已知来电者呼叫 1001</translation>
        </message>
        <message>
            <source>unknown caller to 1002</source>
            <translation>未知来电者呼叫 1002</translation>
        </message>
        <message>
            <source>1003 calls a customer</source>
            <translation>1003 呼叫一位客户</translation>
        </message>
        <message>
            <source>known caller to the sales queue, 1002 answers</source>
            <translation>已知来电者呼叫销售队列，1002 接听</translation>
        </message>
        <message>
            <source>missed call to 1001</source>
            <translation>1001 的未接来电</translation>
        </message>
        <message>
            <source>1003 transfers a customer to 1004</source>
            <translation>1003 将一位客户转接给 1004</translation>
        </message>
        <message>
            <source>unknown caller to the sales queue, nobody answers</source>
            <translation>未知来电者呼叫销售队列，无人接听</translation>
        </message>
        <message>
            <source>voicemail for 1002</source>
            <translation>给 1002 的语音留言</translation>
        </message>
        <message>
            <source>{index}. {label} ({call})</source>
            <translation>{index}. {label}（{call}）</translation>
        </message>
        <message>
            <source>-- the CRM goes down --</source>
            <translation>-- CRM 出现故障 --</translation>
        </message>
        <message>
            <source>-- the PBX link drops; a call happens while we cannot hear it --</source>
            <translation>-- 与 PBX 的连接中断；在我们收不到事件时发生了一通通话 --</translation>
        </message>
        <message>
            <source>{index}. call during the PBX gap ({call})</source>
            <translation>{index}. PBX 中断期间的通话（{call}）</translation>
        </message>
        <message>
            <source>-- the CRM is back --</source>
            <translation>-- CRM 已恢复 --</translation>
        </message>
        <message>
            <source>the database {where} was created by a newer version of the app (schema {found}, this version knows {known}); update the app</source>
            <translation>数据库 {where} 由更新版本的应用创建（架构版本 {found}，当前版本只支持到 {known}）；请更新应用</translation>
        </message>
        <message>
            <source>PostgreSQL says: {words}</source>
            <translation>PostgreSQL 返回：{words}</translation>
        </message>
        <message>
            <source>cannot use the database {where} ({why})</source>
            <translation>无法使用数据库 {where}（{why}）</translation>
        </message>
        <message>
            <source>the database {where} was closed</source>
            <translation>数据库 {where} 已关闭</translation>
        </message>
        <message>
            <source>cannot connect to the database {where} ({why}); check that PostgreSQL runs there and that the gateway's database password is configured</source>
            <translation>无法连接数据库 {where}（{why}）；请检查该处的 PostgreSQL 是否在运行，以及网关的数据库密码是否已配置</translation>
        </message>
        <message>
            <source>another program keeps it locked</source>
            <translation>另一个程序锁定了它</translation>
        </message>
        <message>
            <source>the file cannot be opened; check the folder and its permissions</source>
            <translation>无法打开该文件；请检查所在文件夹及其权限</translation>
        </message>
        <message>
            <source>the file is damaged</source>
            <translation>文件已损坏</translation>
        </message>
        <message>
            <source>the file is not a database</source>
            <translation>该文件不是数据库</translation>
        </message>
        <message>
            <source>the file is read-only</source>
            <translation>文件为只读</translation>
        </message>
        <message>
            <source>the database reported an error{detail}</source>
            <translation>数据库报告了错误{detail}</translation>
        </message>
        <message>
            <source>cannot open the local database {path} ({why})</source>
            <translation>无法打开本地数据库 {path}（{why}）</translation>
        </message>
        <message>
            <source>cannot use the local database {path} ({why})</source>
            <translation>无法使用本地数据库 {path}（{why}）</translation>
        </message>
        <message>
            <source>{head}{separator}{tail}</source>
            <translation>{head}{separator}{tail}</translation>
        </message>
    </context>
    <context>
        <name>CommandLine</name>
        <message>
            <source>usage: </source>
            <translation>用法：</translation>
        </message>
        <message>
            <source>positional arguments</source>
            <translation>位置参数</translation>
        </message>
        <message>
            <source>options</source>
            <translation>选项</translation>
        </message>
        <message>
            <source>show this help message and exit</source>
            <translation>显示此帮助信息并退出</translation>
        </message>
        <message>
            <source>%(prog)s: error: %(message)s
</source>
            <translation>%(prog)s：错误：%(message)s
</translation>
        </message>
        <message>
            <source>the following arguments are required: %s</source>
            <translation>缺少以下必需参数：%s</translation>
        </message>
        <message>
            <source>unrecognized arguments: %s</source>
            <translation>无法识别的参数：%s</translation>
        </message>
        <message>
            <source>invalid choice: %(value)r (choose from %(choices)s)</source>
            <translation>无效的选项：%(value)r（可选：%(choices)s）</translation>
        </message>
        <message>
            <source>argument %(argument_name)s: %(message)s</source>
            <translation>参数 %(argument_name)s：%(message)s</translation>
        </message>
        <message>
            <source>expected one argument</source>
            <translation>需要一个参数值</translation>
        </message>
        <message>
            <source>expected at least one argument</source>
            <translation>至少需要一个参数值</translation>
        </message>
        <message>
            <source>expected at most one argument</source>
            <translation>最多只能有一个参数值</translation>
        </message>
        <message>
            <source>invalid %(type)s value: %(value)r</source>
            <translation>无效的 %(type)s 值：%(value)r</translation>
        </message>
        <message>
            <source>not allowed with argument %s</source>
            <translation>不能与参数 %s 同时使用</translation>
        </message>
        <message>
            <source>one of the arguments %s is required</source>
            <translation>必须提供参数 %s 之一</translation>
        </message>
        <message>
            <source>ambiguous option: %(option)s could match %(matches)s</source>
            <translation>选项不明确：%(option)s 可匹配 %(matches)s</translation>
        </message>
        <message>
            <source>ignored explicit argument %r</source>
            <translation>已忽略显式参数 %r</translation>
        </message>
        <message>
            <source>Connects a Yeastar P-Series PBX to HubSpot, Salesforce or Zoho CRM.</source>
            <translation>将 Yeastar P 系列 PBX 连接到 HubSpot、Salesforce 或 Zoho CRM。</translation>
        </message>
        <message>
            <source>print the version and exit</source>
            <translation>显示版本号并退出</translation>
        </message>
        <message>
            <source>offline demo on local simulators (no account needed)</source>
            <translation>在本地模拟器上运行离线演示（无需账户）</translation>
        </message>
        <message>
            <source>start the app for the configured extension</source>
            <translation>为已配置的分机启动应用</translation>
        </message>
        <message>
            <source>dial a number or tel:/callto: link from your extension</source>
            <translation>从您的分机拨打号码或 tel:/callto: 链接</translation>
        </message>
        <message>
            <source>run the site gateway, or manage the desktops enrolled with it</source>
            <translation>运行站点网关，或管理已在其注册的桌面端</translation>
        </message>
        <message>
            <source>run a local PBX or CRM emulator</source>
            <translation>运行本地 PBX 或 CRM 模拟器</translation>
        </message>
        <message>
            <source>inspect or change settings</source>
            <translation>查看或更改设置</translation>
        </message>
        <message>
            <source>the click-to-call browser extension and its host</source>
            <translation>一键呼叫浏览器扩展及其宿主程序</translation>
        </message>
        <message>
            <source>signed provisioning bundles and policy templates (for admins)</source>
            <translation>已签名的配置包和策略模板（供管理员使用）</translation>
        </message>
        <message>
            <source>check policies, keyring, PBX and CRM; exit 1 on problems</source>
            <translation>检查策略、密钥环、PBX 和 CRM；有问题时以 1 退出</translation>
        </message>
        <message>
            <source>CRM to emulate</source>
            <translation>要模拟的 CRM</translation>
        </message>
        <message>
            <source>number of scripted calls</source>
            <translation>脚本通话的数量</translation>
        </message>
        <message>
            <source>write a JSON report</source>
            <translation>写入 JSON 报告</translation>
        </message>
        <message>
            <source>no windows; print what happens</source>
            <translation>不显示窗口；打印发生的事情</translation>
        </message>
        <message>
            <source>the gateway topology: a gateway and one desktop per extension</source>
            <translation>网关拓扑：一个网关，每个分机一个桌面端</translation>
        </message>
        <message>
            <source>with --gateway: two replicas on a throwaway PostgreSQL (Debian's postgresql), the leader killed mid-demo</source>
            <translation>与 --gateway 一起使用：在临时 PostgreSQL（Debian 的 postgresql）上运行两个副本，演示中途终止主节点</translation>
        </message>
        <message>
            <source>no windows: pops are printed as JSON lines</source>
            <translation>不显示窗口：弹屏以 JSON 行打印</translation>
        </message>
        <message>
            <source>start, show, quit (checks an installation)</source>
            <translation>启动、显示、退出（检查安装）</translation>
        </message>
        <message>
            <source>e.g. +1 555 0100 or tel:+15550100</source>
            <translation>例如 +1 555 0100 或 tel:+15550100</translation>
        </message>
        <message>
            <source>the gateway's configuration (TOML)</source>
            <translation>网关的配置文件（TOML）</translation>
        </message>
        <message>
            <source>a one-time enrollment code and link for a desktop</source>
            <translation>为桌面端生成一次性注册码和链接</translation>
        </message>
        <message>
            <source>revoke desktop sessions (they disconnect)</source>
            <translation>撤销桌面端会话（它们将断开连接）</translation>
        </message>
        <message>
            <source>list desktop sessions</source>
            <translation>列出桌面端会话</translation>
        </message>
        <message>
            <source>sign the gateway's CRM admin account in (browser)</source>
            <translation>登录网关的 CRM 管理员账户（浏览器）</translation>
        </message>
        <message>
            <source>where each secret comes from, and whether the store opens</source>
            <translation>每个密钥的来源，以及存储能否打开</translation>
        </message>
        <message>
            <source>whether this machine's gateway is healthy (exit 0), for container checks</source>
            <translation>本机网关是否正常（正常时以 0 退出），用于容器健康检查</translation>
        </message>
        <message>
            <source>the desktop user's extension</source>
            <translation>桌面用户的分机号</translation>
        </message>
        <message>
            <source>the desktop user's e-mail address</source>
            <translation>桌面用户的邮箱地址</translation>
        </message>
        <message>
            <source>days the code stays valid (default 7)</source>
            <translation>注册码的有效天数（默认 7）</translation>
        </message>
        <message>
            <source>every session of this extension</source>
            <translation>此分机的所有会话</translation>
        </message>
        <message>
            <source>one session id (see `gateway sessions`)</source>
            <translation>一个会话 ID（见 `gateway sessions`）</translation>
        </message>
        <message>
            <source>Yeastar P-Series PBX simulator (Open API + WebSocket events)</source>
            <translation>Yeastar P 系列 PBX 模拟器（Open API + WebSocket 事件）</translation>
        </message>
        <message>
            <source>HubSpot, Salesforce or Zoho CRM emulator</source>
            <translation>HubSpot、Salesforce 或 Zoho CRM 模拟器</translation>
        </message>
        <message>
            <source>address to bind (default 127.0.0.1)</source>
            <translation>绑定的地址（默认 127.0.0.1）</translation>
        </message>
        <message>
            <source>port (default 8088; 0 = any free port)</source>
            <translation>端口（默认 8088；0 表示任意空闲端口）</translation>
        </message>
        <message>
            <source>serve HTTPS/WSS with a generated certificate</source>
            <translation>使用生成的证书提供 HTTPS/WSS 服务</translation>
        </message>
        <message>
            <source>API Client ID to accept (default: generated)</source>
            <translation>接受的 API 客户端 ID（默认：自动生成）</translation>
        </message>
        <message>
            <source>API Client Secret to accept (default: generated)</source>
            <translation>接受的 API 客户端密钥（默认：自动生成）</translation>
        </message>
        <message>
            <source>WebSocket idle close, seconds</source>
            <translation>WebSocket 空闲关闭时间（秒）</translation>
        </message>
        <message>
            <source>port (default: any free port)</source>
            <translation>端口（默认：任意空闲端口）</translation>
        </message>
        <message>
            <source>fix the ready access token of the seeded admin user</source>
            <translation>固定预置管理员用户的现成访问令牌</translation>
        </message>
        <message>
            <source>HubSpot search index lag, seconds</source>
            <translation>HubSpot 搜索索引延迟（秒）</translation>
        </message>
        <message>
            <source>each effective value, its source and whether it is locked</source>
            <translation>每个生效的值、其来源以及是否被锁定</translation>
        </message>
        <message>
            <source>change one of your settings (refused for locked keys)</source>
            <translation>更改您的某项设置（被锁定的项会被拒绝）</translation>
        </message>
        <message>
            <source>return one of your settings to its default</source>
            <translation>将您的某项设置恢复为默认值</translation>
        </message>
        <message>
            <source>machine-readable output</source>
            <translation>机器可读的输出</translation>
        </message>
        <message>
            <source>register the host with every browser</source>
            <translation>在所有浏览器中注册宿主程序</translation>
        </message>
        <message>
            <source>remove the host registration</source>
            <translation>移除宿主程序的注册</translation>
        </message>
        <message>
            <source>check the host registration</source>
            <translation>检查宿主程序的注册</translation>
        </message>
        <message>
            <source>build the extension's zip (reproducible)</source>
            <translation>构建扩展的 zip 包（可复现）</translation>
        </message>
        <message>
            <source>per machine (installers; needs admin)</source>
            <translation>按计算机安装（安装程序使用；需要管理员权限）</translation>
        </message>
        <message>
            <source>create a key pair that signs configuration bundles</source>
            <translation>创建用于签名配置包的密钥对</translation>
        </message>
        <message>
            <source>sign a policy spec into a bundle</source>
            <translation>将策略规范签名为配置包</translation>
        </message>
        <message>
            <source>check a bundle; exit 1 if it would be refused</source>
            <translation>检查配置包；若会被拒绝则以 1 退出</translation>
        </message>
        <message>
            <source>print a bundle's content and whether it verifies</source>
            <translation>打印配置包的内容及其能否通过验证</translation>
        </message>
        <message>
            <source>write ADMX/ADML, .mobileconfig and policy JSON</source>
            <translation>生成 ADMX/ADML、.mobileconfig 和策略 JSON</translation>
        </message>
        <message>
            <source>store a PBX/CRM client secret read from standard input in this user's keyring</source>
            <translation>将从标准输入读取的 PBX/CRM 客户端密钥保存到此用户的密钥环</translation>
        </message>
        <message>
            <source>delete a call's recording on request (links, queued uploads, local copies, copies in the CRM)</source>
            <translation>应要求删除某次通话的录音（链接、排队的上传、本地副本、CRM 中的副本）</translation>
        </message>
        <message>
            <source>folder for the key files (default: here)</source>
            <translation>密钥文件的文件夹（默认：当前文件夹）</translation>
        </message>
        <message>
            <source>JSON file: {"locked": {...}, "recommended": {...}}</source>
            <translation>JSON 文件：{"locked": {...}, "recommended": {...}}</translation>
        </message>
        <message>
            <source>private key file from `admin keygen`</source>
            <translation>由 `admin keygen` 生成的私钥文件</translation>
        </message>
        <message>
            <source>bundle file (default: print it)</source>
            <translation>配置包文件（默认：直接打印）</translation>
        </message>
        <message>
            <source>validity (default 365)</source>
            <translation>有效天数（默认 365）</translation>
        </message>
        <message>
            <source>who signed it, shown to users and in `doctor`</source>
            <translation>签名者，显示给用户并在 `doctor` 中显示</translation>
        </message>
        <message>
            <source>bundle file, or - for standard input</source>
            <translation>配置包文件，或用 - 表示标准输入</translation>
        </message>
        <message>
            <source>key text or file (default: the keys pinned by policy)</source>
            <translation>密钥文本或文件（默认：策略固定的密钥）</translation>
        </message>
        <message>
            <source>output folder</source>
            <translation>输出文件夹</translation>
        </message>
        <message>
            <source>policy spec to put in the examples</source>
            <translation>放入示例中的策略规范</translation>
        </message>
        <message>
            <source>shown in the macOS profile</source>
            <translation>显示在 macOS 描述文件中</translation>
        </message>
        <message>
            <source>pbx.client_secret or crm.client_secret</source>
            <translation>pbx.client_secret 或 crm.client_secret</translation>
        </message>
        <message>
            <source>the PBX call id (CDR uid) whose recording is to be deleted</source>
            <translation>要删除其录音的 PBX 通话 ID（CDR uid）</translation>
        </message>
        <message>
            <source>database file (default: this user's, or the gateway's with --config)</source>
            <translation>数据库文件（默认：此用户的；与 --config 一起时为网关的）</translation>
        </message>
        <message>
            <source>a gateway's configuration: its store and CRM sign-in</source>
            <translation>网关的配置：其存储和 CRM 登录</translation>
        </message>
        <message>
            <source>print only the problems</source>
            <translation>只打印问题</translation>
        </message>
    </context>
</TS>