// web_words.cpp - see web_words.hpp.
#include "web_words.hpp"

#include "web_session.hpp"

namespace notify::ingest {

namespace {

struct Words {
    const char* key;
    const char* en;
    const char* zh;
};

// Every word the dashboard shows, in both languages.
constexpr Words kWords[] = {
    {"notify", "notify", "notify 通知"},
    {"sign_in", "Sign in", "登录"},
    {"sign_out", "Sign out", "退出"},
    {"api_key", "API key", "API 密钥"},
    {"api_key_help", "An API key of scope read or admin (notifyctl apikey create).",
     "权限为 read 或 admin 的 API 密钥（notifyctl apikey create）。"},
    {"bad_key", "That key is not valid.", "该密钥无效。"},
    {"send_scope", "A key of scope send cannot sign in; use one of scope read or admin.",
     "send 权限的密钥不能登录；请使用 read 或 admin 权限的密钥。"},
    {"bad_form", "The form has expired; sign in again.", "表单已过期，请重新登录。"},
    {"forbidden", "This form is not valid (its CSRF token is missing or wrong).",
     "表单无效（CSRF 令牌缺失或错误）。"},
    {"overview", "Overview", "概览"},
    {"today", "Today", "今天"},
    {"queue", "Queue by priority", "按优先级的队列"},
    {"priority", "Priority", "优先级"},
    {"waiting", "Waiting", "等待中"},
    {"in_flight", "In flight", "发送中"},
    {"approvals", "Pending approvals", "待审批"},
    {"status", "Status", "状态"},
    {"count", "Count", "数量"},
    {"peak_sent", "Peak sent per second", "每秒发送峰值"},
    {"signed_in_as", "Signed in as", "当前用户"},
    {"high", "high", "高"},
    {"medium", "medium", "中"},
    {"low", "low", "低"},
    {"language", "中文", "English"},
    {"templates", "Templates", "模板"},
    {"new_template", "New template", "新建模板"},
    {"edit_template", "Edit template", "编辑模板"},
    {"no_templates", "No templates yet.", "还没有模板。"},
    {"template_name", "Name", "名称"},
    {"version", "Version", "版本"},
    {"author", "Author", "作者"},
    {"every_channel", "every channel", "所有渠道"},
    {"default_locale", "default locale", "默认语言"},
    {"edit", "Edit", "编辑"},
    {"subject", "Subject", "主题"},
    {"html", "HTML", "HTML"},
    {"html_source", "HTML source", "HTML 源码"},
    {"history", "Version history", "版本历史"},
    {"changes", "Changes", "改动"},
    {"diff_coarse",
     "Too long to compare line by line: the old text is shown removed and the new text added.",
     "内容过长，无法逐行比较：旧内容全部显示为删除，新内容全部显示为新增。"},
    {"no_changes", "The two versions are the same.", "两个版本内容相同。"},
    {"roll_back", "Roll back to this version", "回滚到此版本"},
    {"done_saved", "Saved as version", "已保存为版本"},
    {"done_restored", "Rolled back to version", "已回滚到版本"},
    {"now_version", "now version", "现为版本"},
    {"admin_to_save", "Saving and rolling back need an API key of scope admin.",
     "保存和回滚需要 admin 权限的 API 密钥。"},
    {"variant_help",
     "A variant is one channel and locale; leave them empty for every channel and the default "
     "locale.",
     "每个变体对应一个渠道和语言；留空表示所有渠道和默认语言。"},
    {"params", "Channel parameters (JSON)", "渠道参数（JSON）"},
    {"sample_data", "Sample data for the preview (JSON)", "预览用的示例数据（JSON）"},
    {"preview", "Preview", "预览"},
    {"preview_failed", "The preview could not be made; try again.", "无法生成预览，请重试。"},
    {"missing_variables", "Variables the sample data leaves empty", "示例数据未填的变量"},
    {"save", "Save as a new version", "保存为新版本"},
    {"back_to_template", "Back to the template", "返回模板"},
    {"error", "Error", "错误"},
    {"now", "Now", "实时"},
    {"accepted_per_second", "Accepted per second", "每秒接收"},
    {"sent_per_second", "Sent per second", "每秒发送"},
    {"failed_per_second", "Failed per second", "每秒失败"},
    {"queued", "Queued", "排队中"},
    {"accepted_since_start", "Accepted since start", "启动以来接收"},
    {"sent_since_start", "Sent since start", "启动以来发送"},
    {"providers", "Providers", "服务商"},
    {"any", "any", "全部"},
    {"notifications", "Notifications", "通知"},
    {"notification", "Notification", "通知"},
    {"since", "From (UTC)", "开始（UTC）"},
    {"until", "Until (UTC)", "结束（UTC）"},
    {"channel", "Channel", "渠道"},
    {"module", "Module", "模块"},
    {"user", "User", "用户"},
    {"group", "Group", "用户组"},
    {"template", "Template", "模板"},
    {"text", "Text", "文本"},
    {"apply", "Filter", "筛选"},
    {"clear", "Clear", "清除"},
    {"time_help",
     "Times: 2026-12-01, 2026-12-01 08:00, RFC 3339 (2026-12-01T08:00:00+08:00) or now-1d.",
     "时间：2026-12-01、2026-12-01 08:00、RFC 3339（2026-12-01T08:00:00+08:00）或 now-1d。"},
    {"created", "Created (UTC)", "创建时间（UTC）"},
    {"id", "ID", "ID"},
    {"recipients", "Recipients", "接收者"},
    {"recipient", "Recipient", "接收者"},
    {"content", "Content", "内容"},
    {"first_page", "« First page", "« 第一页"},
    {"next_page", "Next page »", "下一页 »"},
    {"no_notifications", "No notifications match.", "没有匹配的通知。"},
    {"read_on",
     "This page read the newest 50,000 notifications of the range; the next page reads on.",
     "本页已读取该范围内最新的 50,000 条通知；下一页继续读取更早的。"},
    {"locale", "Locale", "语言"},
    {"category", "Category", "类别"},
    {"source", "Sent by", "发送者"},
    {"fanout", "Bulk send", "批量发送"},
    {"decided_by", "decided by", "审批人"},
    {"reason", "Reason", "原因"},
    {"resend", "Resend failed", "重发失败的"},
    {"cancel", "Cancel", "取消"},
    {"approve", "Approve", "批准"},
    {"reject", "Reject", "拒绝"},
    {"done_resend", "Requeued for sending", "已重新排队"},
    {"done_cancel", "Canceled", "已取消"},
    {"done_approve", "Approved", "已批准"},
    {"done_reject", "Rejected", "已拒绝"},
    {"attempts", "Attempts", "尝试次数"},
    {"provider", "Provider", "服务商"},
    {"last_error", "Last error", "最后错误"},
    {"updated", "Updated (UTC)", "更新时间（UTC）"},
    {"shown_of", "Shown", "显示"},
    {"deliveries", "Deliveries", "投递"},
    {"no_deliveries", "No deliveries yet.", "尚无投递。"},
    {"timeline", "Timeline", "时间线"},
    {"at", "At (UTC)", "时间（UTC）"},
    {"delivery", "Delivery", "投递"},
    {"event", "Event", "事件"},
    {"detail", "Detail", "详情"},
    {"no_events", "No events.", "无事件。"},
    {"size", "Size", "数量"},
    {"sample", "Sample of recipients", "接收者样例"},
    {"admin_to_decide", "Approving and rejecting need an API key of scope admin.",
     "批准和拒绝需要 admin 权限的 API 密钥。"},
    {"no_approvals", "Nothing is waiting for approval.", "没有待审批的发送。"},
    {"reports", "Reports", "报表"},
    {"nothing", "—", "—"},
    {"since_local", "From", "开始"},
    {"until_local", "Until", "结束"},
    {"by", "Group by", "分组"},
    {"then_by", "Then by", "再按"},
    {"show", "Show", "显示"},
    {"download_csv", "Download CSV", "下载 CSV"},
    {"report_help",
     "Times in the reports' time zone: 2026-12-01 (its midnight), 2026-12-01 08:00, RFC 3339 or "
     "now-7d. Empty: today until now.",
     "时间按报表时区：2026-12-01（当日零点）、2026-12-01 08:00、RFC 3339 或 "
     "now-7d。留空：今天至今。"},
    {"total", "Total", "合计"},
    {"size_avg", "Average size (bytes)", "平均大小（字节）"},
    {"latency_percentiles", "Accept→sent p50 / p95 / p99 (ms)",
     "接收→发送 p50 / p95 / p99（毫秒）"},
    {"no_report_rows", "Nothing happened in this range.", "该时间范围内没有数据。"},
    {"report_rows_page", "Rows {from}–{to} of {total}", "第 {from}–{to} 行，共 {total} 行"},
    {"report_rows_past", "No rows after row {offset}: there are {total}",
     "第 {offset} 行之后没有数据，共 {total} 行"},
    {"previous_page", "« Previous page", "« 上一页"},
    {"share", "Share", "占比"},
    {"channel_share", "Sent per channel", "各渠道发送"},
    {"top_failures", "Top failure reasons", "主要失败原因"},
    {"suppressions", "Suppressed, by reason", "按原因的抑制"},
    {"none", "None.", "无。"},
    {"most_used_channel", "most used channel", "最常用渠道"},
    {"users", "Users", "用户"},
    {"groups", "Groups", "用户组"},
    {"search_users", "Id, name, email or phone", "ID、姓名、邮箱或手机号"},
    {"search", "Search", "搜索"},
    {"name", "Name", "姓名"},
    {"email", "Email", "邮箱"},
    {"phone", "Phone", "手机号"},
    {"timezone", "Time zone", "时区"},
    {"quiet_hours", "Quiet hours", "免打扰时段"},
    {"unsubscribed", "Unsubscribed", "已退订"},
    {"address", "Address", "地址"},
    {"identities", "Identities", "身份"},
    {"preferences", "Preferences", "偏好"},
    {"opted_out", "Opted out", "已退出"},
    {"yes", "yes", "是"},
    {"no", "no", "否"},
    {"recent_notifications", "Recent notifications", "最近的通知"},
    {"all_notifications", "All its notifications", "全部相关通知"},
    {"description", "Description", "描述"},
    {"members", "Members", "成员"},
    {"requires_approval", "Sends need approval", "发送需审批"},
    {"no_users", "No users match.", "没有匹配的用户。"},
    {"no_identities", "No identities.", "没有身份。"},
    {"no_preferences", "No preferences set: everything is allowed.", "未设置偏好：全部允许。"},
    {"no_groups", "No groups.", "没有用户组。"},
    {"no_members", "No members.", "没有成员。"},
};

}  // namespace

Lang lang_of(const Request& req) {
    auto q = req.query.find("lang");
    std::string chosen = q != req.query.end() ? q->second : std::string();
    if (chosen.empty()) {
        auto c = req.headers.find("cookie");
        if (c != req.headers.end()) chosen = cookie_value(c->second, "notify_lang");
    }
    if (chosen == "zh") return Lang::zh;
    if (chosen == "en") return Lang::en;
    auto a = req.headers.find("accept-language");
    return a != req.headers.end() && a->second.rfind("zh", 0) == 0 ? Lang::zh : Lang::en;
}

const char* to_string(Lang lang) {
    return lang == Lang::zh ? "zh" : "en";
}

const char* tr(Lang lang, std::string_view key) {
    for (const auto& w : kWords)
        if (key == w.key) return lang == Lang::zh ? w.zh : w.en;
    return "?";
}

}  // namespace notify::ingest
