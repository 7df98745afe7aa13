//! The console's words in English and Simplified Chinese.

use chuhai_domain::accounts::UiLocale;

macro_rules! messages {
    ($($key:ident: $en:literal / $zh:literal,)+) => {
        /// Every console message in one language. A missing translation is a
        /// compile error, not a blank on the page.
        pub struct Tr {
            /// `en` or `zh-CN`, for `<html lang>`.
            pub lang: &'static str,
            $(pub $key: &'static str,)+
        }

        pub static EN: Tr = Tr { lang: "en", $($key: $en,)+ };
        pub static ZH: Tr = Tr { lang: "zh-CN", $($key: $zh,)+ };
    };
}

messages! {
    product: "Chuhai" / "出海",
    tagline: "Sell abroad from one catalog" / "一次上架，卖向全球",
    sign_in: "Sign in" / "登录",
    sign_out: "Sign out" / "退出登录",
    email: "E-mail" / "电子邮箱",
    password: "Password" / "密码",
    login_failed: "The e-mail or password is not correct." / "邮箱或密码不正确。",
    login_throttled: "Too many failed sign-ins. Please wait and try again in" / "登录失败次数过多，请稍候再试，剩余秒数：",
    seconds: "seconds" / "秒",
    session_expired: "Your form expired. Please try again." / "表单已过期，请重试。",
    demo_hint: "Demo account" / "演示账号",
    no_account: "New to Chuhai?" / "还没有账号？",
    create_account: "Create a seller account" / "注册卖家账号",
    have_account: "Already have an account?" / "已有账号？",
    signup_title: "Create your seller account" / "注册卖家账号",
    organisation_name: "Company name" / "公司名称",
    organisation_name_zh: "Company name in Chinese (optional)" / "公司中文名称（可选）",
    slug: "Short name for URLs" / "店铺短名（用于网址）",
    owner_name: "Your name" / "您的姓名",
    password_hint: "At least 10 characters" / "至少 10 个字符",
    nav_dashboard: "Dashboard" / "概览",
    nav_catalog: "Catalog" / "商品",
    nav_pricing: "Markets & pricing" / "市场与定价",
    nav_warehouses: "Warehouses & stock" / "海外仓与库存",
    nav_orders: "Orders" / "订单",
    nav_customs: "Customs & documents" / "报关与单证",
    nav_analytics: "Analytics" / "数据分析",
    nav_settings: "Settings" / "设置",
    soon: "soon" / "即将推出",
    language: "Language" / "语言",
    welcome: "Welcome back, " / "欢迎回来，",
    your_role: "Your role" / "您的角色",
    role_owner: "Owner" / "所有者",
    role_staff: "Staff" / "员工",
    role_warehouse_operator: "Warehouse operator" / "仓库操作员",
    role_platform_admin: "Platform administrator" / "平台管理员",
    kind_seller: "Seller" / "卖家",
    kind_warehouse_operator: "Warehouse operator (3PL)" / "海外仓服务商",
    kind_platform: "Platform operator" / "平台运营方",
    members: "Team members" / "团队成员",
    active_tokens: "Active API tokens" / "有效 API 令牌",
    organisation: "Organisation" / "组织",
    getting_started: "Getting started" / "开始使用",
    step_catalog: "List your products once, in Chinese and English" / "用中英文上架商品，一次完成",
    step_markets: "Open markets with their currency, language and prices" / "开通目标市场：币种、语言与价格",
    step_stock: "Send stock to overseas warehouses and keep counts exact" / "备货到海外仓，库存准确同步",
    step_orders: "Take orders with duties and taxes shown before payment" / "接单时预先展示关税与税费",
    step_api: "Connect your systems with the API" / "通过 API 对接您的系统",
    api_docs: "API reference" / "API 文档",
    settings_title: "Settings" / "设置",
    profile: "Profile" / "个人资料",
    name: "Name" / "姓名",
    tokens_title: "API tokens" / "API 令牌",
    tokens_help: "Tokens let your own systems call the Chuhai API. A token is shown once, when it is created." / "API 令牌用于让您的系统调用出海 API。令牌只在创建时显示一次。",
    token_name: "Token name" / "令牌名称",
    create_token: "Create token" / "创建令牌",
    token_created: "Copy this token now; it will not be shown again:" / "请立即复制此令牌，之后将不再显示：",
    revoke: "Revoke" / "撤销",
    revoked: "Revoked" / "已撤销",
    active: "Active" / "有效",
    created: "Created" / "创建时间",
    last_used: "Last used" / "最近使用",
    never: "never" / "从未",
    status: "Status" / "状态",
    no_tokens: "No API tokens yet." / "还没有 API 令牌。",
    prefix: "Starts with" / "前缀",
}

impl Tr {
    pub fn for_locale(locale: UiLocale) -> &'static Tr {
        match locale {
            UiLocale::En => &EN,
            UiLocale::ZhCn => &ZH,
        }
    }

    pub fn role(&self, role: chuhai_domain::accounts::Role) -> &'static str {
        use chuhai_domain::accounts::Role::*;
        match role {
            Owner => self.role_owner,
            Staff => self.role_staff,
            WarehouseOperator => self.role_warehouse_operator,
            PlatformAdmin => self.role_platform_admin,
        }
    }

    pub fn kind(&self, kind: chuhai_domain::accounts::OrganisationKind) -> &'static str {
        use chuhai_domain::accounts::OrganisationKind::*;
        match kind {
            Seller => self.kind_seller,
            WarehouseOperator => self.kind_warehouse_operator,
            Platform => self.kind_platform,
        }
    }
}
