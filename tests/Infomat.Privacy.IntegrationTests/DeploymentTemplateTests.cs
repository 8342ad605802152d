using System.Text.Json;
using System.Text.RegularExpressions;

using Infomat.Privacy.Cases;
using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// What ops deploy (the ARM JSON compiled from infra/main.bicep) keeps the promises of docs/deploy.md: no shared keys,
/// https and TLS 1.2 only, nothing public in Blob Storage, exports deleted in time, an identity with only the roles it
/// needs, every secret in Key Vault, and staff pages behind sign-in. An insecure change to the templates fails here.
/// </summary>
public sealed partial class DeploymentTemplateTests
{
    private static readonly ArmTemplate Arm = ArmTemplate.Load();

    // The only roles the deployment may hand out, by role definition id.
    private static readonly Dictionary<string, string> AppRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["db58b8e5-c6ad-4a2a-8342-4190687cbf4a"] = "Storage Blob Delegator",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    private const string SecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    private static string? Text(JsonElement? e) => e is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    private static bool? Bool(JsonElement? e) => e is { ValueKind: JsonValueKind.True or JsonValueKind.False } b ? b.GetBoolean() : null;

    [Fact]
    public void The_storage_accounts_take_no_shared_keys_speak_only_https_with_TLS_1_2_and_show_no_blob_publicly()
    {
        var accounts = Arm.OfType("Microsoft.Storage/storageAccounts").ToList();
        Assert.Equal(3, accounts.Count);
        foreach (var storage in accounts)
        {
        Assert.False(Bool(storage.At("properties", "allowSharedKeyAccess")) ?? true, "allowSharedKeyAccess must be false: keys bypass the identity and the audit.");
        Assert.True(Bool(storage.At("properties", "supportsHttpsTrafficOnly")), "supportsHttpsTrafficOnly must be true.");
        Assert.Equal("TLS1_2", Text(storage.At("properties", "minimumTlsVersion")));
        Assert.False(Bool(storage.At("properties", "allowBlobPublicAccess")) ?? true, "allowBlobPublicAccess must be false.");
        Assert.True(Bool(storage.At("properties", "defaultToOAuthAuthentication")), "defaultToOAuthAuthentication must be true.");
        }

        var containers = Arm.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal("None", Text(c.At("properties", "publicAccess"))));
    }

    [Fact]
    public void Sas_links_have_an_expiration_policy_of_at_most_a_day()
    {
        foreach (var storage in Arm.OfType("Microsoft.Storage/storageAccounts"))
        {
        var period = Text(storage.At("properties", "sasPolicy", "sasExpirationPeriod"));
        Assert.NotNull(period);
        // Format d.hh:mm:ss; the download SAS lives minutes.
        var match = SasPeriod().Match(period!);
        Assert.True(match.Success, $"sasExpirationPeriod '{period}' is not d.hh:mm:ss");
        Assert.True(new TimeSpan(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 0, 0) <= TimeSpan.FromDays(1), $"SAS expiration period {period} is longer than a day.");
        Assert.NotNull(Text(storage.At("properties", "sasPolicy", "expirationAction")));
        }
    }

    /// <summary>The days after which a lifecycle rule deletes blobs under <paramref name="prefix"/>: a number, or <c>parameter + n</c>.</summary>
    private static int LifecycleDays(string module, string prefix)
    {
        var policy = Arm.InModule(module, "Microsoft.Storage/storageAccounts/managementPolicies").Single();
        var rule = policy.At("properties", "policy", "rules")!.Value.EnumerateArray()
            .Where(r => r.GetProperty("enabled").GetBoolean())
            .Single(r => r.GetProperty("definition").GetProperty("filters").GetProperty("prefixMatch").EnumerateArray().Any(p => Text(policy.Scope.Resolve(p)) == prefix));
        var days = policy.Scope.Resolve(rule.GetProperty("definition").GetProperty("actions").GetProperty("baseBlob").GetProperty("delete").GetProperty("daysAfterModificationGreaterThan"));
        if (days is { ValueKind: JsonValueKind.Number } n)
        {
            return n.GetInt32();
        }

        var sum = ParameterPlus().Match(Text(days) ?? string.Empty);
        Assert.True(sum.Success, $"the lifecycle days for {prefix} must be a number or a parameter plus a number, not {days}");
        var parameter = policy.Scope.Parameter(sum.Groups[1].Value);
        return parameter!.Value.GetInt32() + int.Parse(sum.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Staged_records_left_behind_are_deleted_by_a_lifecycle_rule_only_after_the_longest_answer_period()
    {
        // Issue 16, item 3: the app deletes them as soon as the zip is written; the rule catches any it could not. It
        // must not delete what an access export still waits on: staff review its free text with no timer (Art. 15(4)),
        // up to the due date, at most three months after receipt (Art. 12(3)); with a day, a review begun after a
        // weekend found its records gone (decision 96).
        var received = new DateOnly(2027, 5, 31);
        var latestDue = received.AddMonths(3).AddDays(7); // the extended date, moved past holidays and weekends
        Assert.InRange(LifecycleDays("storage", "staging/"), latestDue.DayNumber - received.DayNumber + 1, 120);
    }

    [Fact]
    public void Exports_are_deleted_by_a_lifecycle_rule_the_day_after_the_link_the_app_is_given_ends()
    {
        var linkDays = Arm.Root.Parameter("exportLinkLifetimeDays")!.Value.GetInt32();
        Assert.Equal(linkDays + 1, LifecycleDays("exports", "exports/"));
        Assert.Equal("[format('{0}.00:00:00', parameters('exportLinkLifetimeDays'))]", AppSettings(out _)["Privacy__Export__LinkLifetime"]);
        Assert.True(Arm.Root.Parameters.Single(p => p.Name == "exportLinkLifetimeDays").Value.GetProperty("maxValue").GetInt32() <= 30);
    }

    [Fact]
    public void A_deleted_blob_or_container_is_recoverable_for_a_day_at_most_and_no_old_versions_are_kept()
    {
        // Issue 16, item 3: an export or staged record deleted (its link ended, an erasure) must not live on as a
        // soft-deleted copy for a week; one day still covers an operator's mistake on the key ring or the task hub.
        var services = Arm.OfType("Microsoft.Storage/storageAccounts/blobServices").ToList();
        Assert.Equal(3, services.Count);
        foreach (var blobs in services)
        {
            foreach (var policy in new[] { "deleteRetentionPolicy", "containerDeleteRetentionPolicy" })
            {
                var enabled = Bool(blobs.At("properties", policy, "enabled")) ?? false;
                var days = blobs.At("properties", policy, "days");
                Assert.True(!enabled || days is { ValueKind: JsonValueKind.Number } d && d.GetInt32() <= 1, $"{policy} keeps deleted data {days} days; at most 1");
            }

            Assert.NotEqual(true, Bool(blobs.At("properties", "isVersioningEnabled")));
        }
    }

    [Fact]
    public void The_audit_heads_can_be_appended_to_but_not_deleted_or_rewritten_for_longer_than_cases_are_kept()
    {
        // Issue 18 item 13: the audit chain's heads anchor it outside the table, so a deleted tail of the table shows.
        // That holds only if the heads themselves cannot be removed: a time-based retention (WORM) policy on their
        // container, with appends still allowed, for longer than a case and its trail are kept.
        var containers = Arm.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => Text(c.At("name"))!).ToList();
        Assert.Contains(containers, n => n.Contains($"'{Infomat.Privacy.Adapters.Storage.TableAuditTrail.HeadsContainer}'", StringComparison.Ordinal));
        var policy = Arm.Single("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies");
        Assert.Contains($"'{Infomat.Privacy.Adapters.Storage.TableAuditTrail.HeadsContainer}'", Text(policy.At("name")), StringComparison.Ordinal);
        Assert.True(Bool(policy.At("properties", "allowProtectedAppendWrites")), "the app appends every new head to the case's append blob");
        var days = policy.At("properties", "immutabilityPeriodSinceCreationInDays")!.Value.GetInt32();
        Assert.True(days > new Infomat.Privacy.Configuration.StaffOptions().CaseRetention.TotalDays, $"{days} days");
    }

    [Fact]
    public void The_register_audit_and_mail_queue_exist_for_the_app()
    {
        var tables = Arm.OfType("Microsoft.Storage/storageAccounts/tableServices/tables").Select(t => Text(t.At("name"))).ToList();
        foreach (var table in new[] { "PrivacyCases", "PrivacyUsedTokens", "PrivacyAudit", "submissionlimits" })
        {
            Assert.Contains(tables, n => n!.Contains($"'{table}'", StringComparison.Ordinal));
        }

        Assert.Contains(Arm.OfType("Microsoft.Storage/storageAccounts/queueServices/queues"), q => Text(q.At("name"))!.Contains("'mail-inbound'", StringComparison.Ordinal));
        var containers = Arm.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => Text(c.At("name"))!).ToList();
        Assert.Contains(containers, n => n.Contains("'exports'", StringComparison.Ordinal));
        Assert.Contains(containers, n => n.Contains("'staging'", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_store_with_files_has_its_blob_container_and_the_app_keeps_files_there()
    {
        var bicep = File.ReadAllText(Path.Combine(Repo.Root, "infra", "app", "storefiles.bicep"));
        var map = Infomat.Privacy.Stores.DataMapLoader.Load(Infomat.Privacy.Stores.DataMapFiles.Default);
        var withFiles = map.Stores.Where(s => s.Tables.Any(t => t.FileColumns.Count > 0)).ToList();
        Assert.NotEmpty(withFiles);
        Assert.Contains(Arm.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"), c => c.Json.TryGetProperty("copy", out _));
        foreach (var store in withFiles)
        {
            Assert.Contains($"'{Infomat.Privacy.Adapters.Stores.StoreFileNames.Container(store)}'", bicep, StringComparison.Ordinal);
        }

        Assert.Equal("blob", AppSettings(out _)["Stores__FilesStorage"]);
    }

    [Fact]
    public void The_app_identity_gets_exactly_the_listed_roles_each_on_its_own_resource_and_nothing_broader()
    {
        var expectedScope = new Dictionary<string, string>
        {
            ["Storage Blob Data Contributor"] = "Microsoft.Storage/storageAccounts/blobServices/containers",
            ["Storage Blob Delegator"] = "Microsoft.Storage/storageAccounts",
            ["Storage Table Data Contributor"] = "Microsoft.Storage/storageAccounts",
            ["Storage Queue Data Contributor"] = "Microsoft.Storage/storageAccounts",
            ["Key Vault Secrets User"] = "Microsoft.KeyVault/vaults",
            ["Monitoring Metrics Publisher"] = "Microsoft.Insights/components",
        };
        var granted = new List<string>();
        foreach (var assignment in Arm.OfType("Microsoft.Authorization/roleAssignments"))
        {
            var definition = Text(assignment.At("properties", "roleDefinitionId")) ?? string.Empty;
            var roleId = ArmTemplate.Scope.VariablesIn(definition).Select(v => Text(assignment.Scope.Variable(v))).SingleOrDefault(v => v is not null && Guid.TryParse(v, out _));
            Assert.True(roleId is not null, $"Role definition {definition} is not one of the listed roles written as a constant.");
            Assert.True(Text(assignment.At("name"))!.StartsWith("[guid(", StringComparison.Ordinal), "role assignment names must be guid(...) of scope, principal and role.");
            var principal = Text(assignment.Json.GetProperty("properties").GetProperty("principalId")) ?? string.Empty;
            var scope = Text(assignment.Json.TryGetProperty("scope", out var s) ? s : null) ?? string.Empty;
            // Written one by one so each can be checked here; only the per-container blob role is a loop, over a list checked below.
            Assert.True(!assignment.Json.TryGetProperty("copy", out _) || roleId == BlobDataContributor, "role assignments are written one by one so each can be checked here.");

            if (principal.Contains("deployerPrincipalId", StringComparison.Ordinal))
            {
                // Whoever deploys may write secrets into this one vault, and nothing else.
                Assert.Equal(SecretsOfficer, roleId, ignoreCase: true);
                Assert.Contains("Microsoft.KeyVault/vaults", scope, StringComparison.Ordinal);
                continue;
            }

            Assert.Contains("appPrincipalId", principal, StringComparison.Ordinal);
            Assert.True(AppRoles.TryGetValue(roleId!, out var role), $"The app identity must not get role {roleId}: only {string.Join(", ", AppRoles.Values)}.");
            Assert.True(scope.StartsWith($"[resourceId('{expectedScope[role]}'", StringComparison.Ordinal), $"{role} must be scoped to the {expectedScope[role]} resource, not '{scope}' (an empty scope is the whole resource group).");
            Assert.Equal("ServicePrincipal", Text(assignment.At("properties", "principalType")));
            granted.Add(role);
        }

        Assert.Equal(AppRoles.Values.Order(), granted.Distinct().Order());
        Assert.DoesNotContain(Arm.OfType("Microsoft.Authorization/roleAssignments"), a => (Text(a.At("properties", "roleDefinitionId")) ?? string.Empty).Contains("blobDataOwner", StringComparison.OrdinalIgnoreCase)
            || Text(a.Scope.Variable("blobDataOwner")) is not null);
    }

    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

    [Fact]
    public void The_app_writes_only_the_blob_containers_it_uses_and_its_runtime_needs_not_every_container_of_the_account()
    {
        // Issue 19 item 2: Storage Blob Data Owner on the account let the app rewrite anything there, its own deployment
        // package included, and change access control. Now: Blob Data Contributor on each container it uses (the app's,
        // the Functions host's and the Durable task hub's, which the template creates so that they can be scoped), and
        // nothing on the account itself except table and queue data (decision 67 explains why those stay account-wide).
        var loop = Arm.InModule("storage", "Microsoft.Authorization/roleAssignments").Single(a => a.Json.TryGetProperty("copy", out _));
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('name'), 'default', variables('writableContainers')[copyIndex()])]", Text(loop.At("scope")));
        var hub = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "host.json"))).RootElement.GetProperty("extensions").GetProperty("durableTask").GetProperty("hubName").GetString()!.ToLowerInvariant();
        var listed = loop.Scope.Variable("writableContainers")!.Value.EnumerateArray().Select(e => Text(loop.Scope.Resolve(e))).ToList();
        string[] expected =
        [
            Infomat.Privacy.Adapters.Storage.BlobStagingStorage.Container, Infomat.Privacy.Adapters.Storage.TableAuditTrail.HeadsContainer,
            Infomat.Privacy.Adapters.Storage.KeyRingProtection.DefaultContainer, "mail-state", "app-package",
            "azure-webjobs-hosts", "azure-webjobs-secrets", $"{hub}-leases", $"{hub}-applease", $"{hub}-largemessages",
        ];
        Assert.Equal(expected.Order(), listed.Order());

        // The user delegation key signs the download links: only on the exports account, the only one they point at.
        var delegator = Arm.OfType("Microsoft.Authorization/roleAssignments").Where(a => Text(a.Scope.Variable("blobDelegator")) is not null && (Text(a.At("properties", "roleDefinitionId")) ?? string.Empty).Contains("blobDelegator", StringComparison.Ordinal)).ToList();
        Assert.Equal(Arm.InModule("exports", "Microsoft.Authorization/roleAssignments").Where(a => (Text(a.At("properties", "roleDefinitionId")) ?? string.Empty).Contains("blobDelegator", StringComparison.Ordinal)).ToList(), delegator);
        Assert.Single(delegator);
    }

    [Fact]
    public void The_function_app_runs_dotnet_10_isolated_on_Flex_Consumption_as_the_identity_over_https_only()
    {
        var plan = Arm.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", Text(plan.At("sku", "name")));
        Assert.Equal("FlexConsumption", Text(plan.At("sku", "tier")));

        var app = Arm.Single("Microsoft.Web/sites");
        Assert.Equal("UserAssigned", Text(app.At("identity", "type")));
        Assert.True(Bool(app.At("properties", "httpsOnly")), "httpsOnly must be true.");
        Assert.Equal("1.2", Text(app.At("properties", "siteConfig", "minTlsVersion")));
        Assert.Equal("Disabled", Text(app.At("properties", "siteConfig", "ftpsState")));
        Assert.NotNull(Text(app.At("properties", "keyVaultReferenceIdentity")));
        Assert.Equal("dotnet-isolated", Text(app.At("properties", "functionAppConfig", "runtime", "name")));
        Assert.Equal("10.0", Text(app.At("properties", "functionAppConfig", "runtime", "version")));
        Assert.Equal("UserAssignedIdentity", Text(app.At("properties", "functionAppConfig", "deployment", "storage", "authentication", "type")));
        Assert.Contains("alwaysReadyInstances", Text(app.At("properties", "functionAppConfig", "scaleAndConcurrency", "alwaysReady")) ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains(Arm.Root.Parameters, p => p.Name == "alwaysReadyInstances");

        var basicAuth = Arm.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, basicAuth.Count);
        Assert.All(basicAuth, p => Assert.False(Bool(p.At("properties", "allow")) ?? true, "publishing with basic credentials must be off"));
    }

    [Fact]
    public void No_secret_is_a_plain_app_setting_or_a_template_parameter()
    {
        foreach (var scope in Arm.Scopes())
        {
            Assert.DoesNotContain(scope.Parameters, p => p.Value.GetProperty("type").GetString()!.StartsWith("secure", StringComparison.OrdinalIgnoreCase));
        }

        var settings = AppSettings(out var resource);
        var vault = Text(resource.Scope.Variable("vault"));
        Assert.StartsWith("@Microsoft.KeyVault(VaultName=", vault?.Replace("[format('", string.Empty, StringComparison.Ordinal) ?? string.Empty, StringComparison.Ordinal);
        foreach (var (name, value) in settings)
        {
            Assert.DoesNotContain("AccountKey=", value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessSignature", value, StringComparison.OrdinalIgnoreCase);
            // SendGrid's Event Webhook key is the public half: it verifies SendGrid's signature and signs nothing.
            if (SecretName().IsMatch(name) && name is not ("APPLICATIONINSIGHTS_CONNECTION_STRING" or "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" or "AzureWebJobsStorage__credential" or "Mail__SendGrid__EventWebhookPublicKey"))
            {
                Assert.True(VaultReference().IsMatch(value), $"{name} looks secret but is '{value}', not a Key Vault reference.");
            }
        }

        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        foreach (var required in new[] { "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri", "Privacy__PublicBaseUrl", "Privacy__Tokens__SigningKey", "Privacy__Pseudonymisation__Key", "Privacy__KeyRing__EncryptionKey", "Mail__SendGrid__ApiKey", "Mail__Graph__Mailbox", "Mail__Graph__ClientSecret", "Mail__Graph__ClientState", "Stores__PostgresConnectionString" })
        {
            Assert.True(settings.ContainsKey(required), $"The app cannot run in Azure without {required}.");
        }

        // Flex Consumption refuses these: the runtime is in functionAppConfig.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        Assert.Equal("true", settings["Privacy__Staff__RequireSignIn"]);
    }

    [Fact]
    public void The_secrets_the_app_reads_are_exactly_the_ones_the_post_provision_hook_puts_in_Key_Vault()
    {
        var referenced = AppSettings(out _).Values.Select(v => VaultReference().Match(v)).Where(m => m.Success).Select(m => m.Groups[1].Value).Order().ToList();
        var hook = File.ReadAllLines(Path.Combine(Repo.Root, "scripts", "azd", "postprovision.sh"))
            .Select(l => HookSecret().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(8, referenced.Count);
        Assert.Equal(referenced, hook);
    }

    [Fact]
    public void Staff_routes_need_sign_in_while_the_public_routes_stay_open()
    {
        var auth = Arm.OfType("Microsoft.Web/sites/config").Single(c => Text(c.At("name"))!.Contains("'authsettingsV2'", StringComparison.Ordinal));
        Assert.True(Bool(auth.At("properties", "platform", "enabled")));
        Assert.True(Bool(auth.At("properties", "globalValidation", "requireAuthentication")), "requireAuthentication must be true: staff pages are not public.");
        Assert.Contains(Text(auth.At("properties", "globalValidation", "unauthenticatedClientAction")), new[] { "RedirectToLoginPage", "Return401", "Return403" });
        Assert.True(Bool(auth.At("properties", "identityProviders", "azureActiveDirectory", "enabled")));
        var excluded = auth.At("properties", "globalValidation", "excludedPaths")!.Value.EnumerateArray().Select(p => p.GetString()!).ToList();

        // Every HTTP function is one or the other: a new route fails here until someone decides which.
        string[] staff = ["approvals", "tasks", "triage", "review", "cases", "cases.csv", "cases/{caseId}", "cases/{caseId}/extend", "cases/{caseId}/retry", "cases/{caseId}/answered-outside", "cases/{caseId}/revoke-export", "cases/{caseId}/identification-seen", "cases/{caseId}/recipient-informed", "cases/{caseId}/lift-restriction"];
        string[] open = ["privacy", "privacy/notice", "privacy/thanks", "privacy/resend", "api/requests", "api/requests/{requestId}", "verify", "download", "api/mail/notifications", "api/mail/events", "api/approvals/card", "health"];
        var routes = FunctionsAppTests.Triggers("httpTrigger").Select(t => t.Binding.GetProperty("route").GetString()!).Distinct().Order().ToList();
        Assert.Equal(staff.Concat(open).Order(), routes);

        static string Sample(string route) => "/" + route.Replace("{caseId}", "PR-ABCD-EFGH-JKLM", StringComparison.Ordinal).Replace("{requestId}", "PR-ABCD-EFGH-JKLM", StringComparison.Ordinal);
        foreach (var route in staff)
        {
            // Stricter than the platform: an excluded path is taken to open everything under it, wildcard or not.
            var opener = excluded.FirstOrDefault(p => Sample(route).StartsWith(p.TrimEnd('*').TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
            Assert.True(opener is null, $"Staff route /{route} would be open without sign-in through the excluded path {opener}.");
        }

        foreach (var route in open)
        {
            var path = Sample(route);
            Assert.True(excluded.Any(p => p == path || (p.EndsWith("/*", StringComparison.Ordinal) && path.StartsWith(p[..^1], StringComparison.Ordinal))), $"Public route {path} would ask requesters (or Graph) to sign in.");
        }
    }

    [Fact]
    public void The_platform_passes_the_staff_ID_token_and_the_app_knows_the_tenant_and_client_id_to_check_it()
    {
        // Issue 18 item 1: the app validates the token itself; with the token store off there is no token to check, and
        // without the tenant and client id it cannot check one (staff pages then stay closed).
        var auth = Arm.OfType("Microsoft.Web/sites/config").Single(c => Text(c.At("name"))!.Contains("'authsettingsV2'", StringComparison.Ordinal));
        Assert.True(Bool(auth.At("properties", "login", "tokenStore", "enabled")), "The token store must be on: the app reads X-MS-TOKEN-AAD-ID-TOKEN.");
        Assert.Equal("IdentityProviderDerived", Text(auth.At("properties", "login", "cookieExpiration", "convention")));
        var settings = AppSettings(out _);
        Assert.Equal("[tenant().tenantId]", settings["Privacy__Staff__TenantId"]);
        // The audience the app requires is the app registration the platform signs staff in with.
        var registration = auth.Json.GetProperty("properties").GetProperty("identityProviders").GetProperty("azureActiveDirectory").GetProperty("registration");
        Assert.Equal("[parameters('staffSignInClientId')]", registration.GetProperty("clientId").GetString());
        Assert.Equal("[parameters('staffSignInClientId')]", settings["Privacy__Staff__ClientId"]);
        Assert.False(settings.ContainsKey("Privacy__Staff__Authority"), "The authority override is for tests: Azure uses the tenant's Entra ID.");
    }

    [Fact]
    public void Key_Vault_uses_RBAC_with_soft_delete_and_purge_protection()
    {
        var vault = Arm.Single("Microsoft.KeyVault/vaults");
        Assert.True(Bool(vault.At("properties", "enableRbacAuthorization")), "Key Vault must use RBAC, not access policies.");
        Assert.True(Bool(vault.At("properties", "enableSoftDelete")));
        Assert.True(Bool(vault.At("properties", "enablePurgeProtection")), "a deleted pseudonymisation key would make the suppression list unreadable: purge protection on.");
    }

    [Fact]
    public void Telemetry_needs_Entra_and_the_alerts_read_the_counters_the_app_emits()
    {
        var insights = Arm.Single("Microsoft.Insights/components");
        Assert.True(Bool(insights.At("properties", "DisableLocalAuth")), "Application Insights must refuse key-only ingestion.");
        Assert.NotNull(insights.At("properties", "WorkspaceResourceId"));

        var queries = Arm.OfType("Microsoft.Insights/scheduledQueryRules")
            .Select(r => r.At("properties", "criteria", "allOf")!.Value.EnumerateArray().Select(c => Text(r.Scope.Resolve(c.GetProperty("query")))).Single()!)
            .ToList();
        Assert.Contains(queries, q => q.Contains($"\"{PrivacyMetrics.CasesFailed}\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains($"\"{PrivacyMetrics.CasesOverdue}\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains($"\"{PrivacyMetrics.MailPoisoned}\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains($"\"{PrivacyMetrics.CasesAddressRefused}\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains($"\"{PrivacyMetrics.RequesterMailBouncedName}\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains($"\"{PrivacyMetrics.RetentionNotSwept}\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains($"\"{PrivacyMetrics.OwnMailUndeliveredName}\"", StringComparison.Ordinal));
        Assert.All(Arm.OfType("Microsoft.Insights/scheduledQueryRules"), r => Assert.NotEmpty(r.At("properties", "actions", "actionGroups")!.Value.EnumerateArray()));

        var diagnosed = Arm.OfType("Microsoft.Insights/diagnosticSettings").Select(d => Text(d.At("scope")) ?? string.Empty).ToList();
        Assert.Contains(diagnosed, s => s.Contains("Microsoft.Web/sites", StringComparison.Ordinal));
        Assert.Contains(diagnosed, s => s.Contains("Microsoft.KeyVault/vaults", StringComparison.Ordinal));
        Assert.Contains(diagnosed, s => s.Contains("Microsoft.Storage/storageAccounts/blobServices", StringComparison.Ordinal));
    }

    [Fact]
    public void Azd_finds_the_app_the_parameters_and_the_outputs_the_hook_needs()
    {
        var azureYaml = File.ReadAllText(Path.Combine(Repo.Root, "azure.yaml"));
        Assert.Contains("project: ./src/Infomat.Functions", azureYaml, StringComparison.Ordinal);
        Assert.Contains("host: function", azureYaml, StringComparison.Ordinal);
        Assert.Contains("run: scripts/azd/postprovision.sh", azureYaml, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repo.Root, "src", "Infomat.Functions", "Infomat.Functions.csproj")));

        var outputs = Arm.Root.Template.GetProperty("outputs").EnumerateObject().Select(o => o.Name).ToList();
        Assert.Contains("AZURE_KEY_VAULT_NAME", outputs);
        Assert.Contains("AZURE_FUNCTION_APP_NAME", outputs);
        Assert.Contains("PRIVACY_PUBLIC_BASE_URL", outputs);
        Assert.Contains("GRAPH_NOTIFICATION_URL", outputs);
        Assert.All(Arm.Root.Template.GetProperty("outputs").EnumerateObject(), o => Assert.False(o.Value.GetProperty("type").GetString()!.StartsWith("secure", StringComparison.OrdinalIgnoreCase)));

        // Every parameter without a default is given by main.parameters.json, and that file names only real parameters.
        using var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "infra", "main.parameters.json")));
        var given = parameters.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();
        var declared = Arm.Root.Parameters.ToList();
        Assert.All(given, name => Assert.Contains(declared, p => p.Name == name));
        Assert.All(declared.Where(p => !p.Value.TryGetProperty("defaultValue", out _)), p => Assert.Contains(p.Name, given));
    }

    [Fact]
    public void The_register_audit_task_hub_and_key_ring_storage_and_Key_Vault_refuse_the_internet_and_are_reached_over_private_endpoints()
    {
        // Issue 19 item 1: identities alone guard nothing once a token leaks; the records of two companies are reachable
        // only from the app's virtual network. Public access is off unless ops name one address for a maintenance run.
        var storage = Arm.InModule("storage", "Microsoft.Storage/storageAccounts").Single();
        var vault = Arm.Single("Microsoft.KeyVault/vaults");
        foreach (var closed in new[] { storage, vault })
        {
            Assert.Equal("Deny", Text(closed.At("properties", "networkAcls", "defaultAction")));
            Assert.Equal("None", Text(closed.At("properties", "networkAcls", "bypass")));
            var access = Text(closed.At("properties", "publicNetworkAccess"));
            Assert.True(access is "Disabled" || access == "[if(empty(parameters('operatorIpAddress')), 'Disabled', 'Enabled')]", $"{closed.Type}: publicNetworkAccess is '{access}'");
            Assert.Equal(string.Empty, Text(closed.Scope.Parameter("operatorIpAddress")));
            Assert.DoesNotContain("virtualNetworkRules", closed.At("properties", "networkAcls")!.Value.GetRawText(), StringComparison.Ordinal);
        }

        Assert.Equal(string.Empty, Arm.Root.Parameter("operatorIpAddress")!.Value.GetString());

        // A private endpoint per service the app uses (the task hub needs blob, queue and table), each registered in its
        // private DNS zone, each zone linked to the network: one loop over the list of targets, each item its own resource.
        var endpoint = Arm.OfType("Microsoft.Network/privateEndpoints").Single(e => e.Json.TryGetProperty("copy", out _));
        var targets = endpoint.Scope.Variable("targets")!.Value.EnumerateArray().ToList();
        var item = "variables('targets')[copyIndex()]";
        Assert.Equal("[length(variables('targets'))]", Text(endpoint.At("copy", "count")));
        var connection = endpoint.At("properties", "privateLinkServiceConnections")!.Value.EnumerateArray().Single().GetProperty("properties");
        Assert.Equal($"[{item}.name]", connection.GetProperty("groupIds").EnumerateArray().Single().GetString());
        Assert.Equal($"[{item}.resourceId]", connection.GetProperty("privateLinkServiceId").GetString());
        Assert.Contains("privateEndpoints", Text(endpoint.At("properties", "subnet", "id")) ?? string.Empty, StringComparison.Ordinal);
        var expected = new Dictionary<string, (string Target, string Zone)>
        {
            ["blob"] = ("storageAccountId", "privatelink.blob."),
            ["queue"] = ("storageAccountId", "privatelink.queue."),
            ["table"] = ("storageAccountId", "privatelink.table."),
            ["vault"] = ("keyVaultId", "privatelink.vaultcore.azure.net"),
        };
        Assert.Equal(expected.Keys.Order(), targets.Select(t => t.GetProperty("name").GetString()!).Order());
        foreach (var target in targets)
        {
            var (id, zone) = expected[target.GetProperty("name").GetString()!];
            Assert.Equal($"[parameters('{id}')]", target.GetProperty("resourceId").GetString());
            Assert.Contains(zone, target.GetProperty("zone").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("storage", Text(endpoint.Scope.Parameter("storageAccountId")) ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains("keyvault", Text(endpoint.Scope.Parameter("keyVaultId")) ?? string.Empty, StringComparison.Ordinal);
        foreach (var type in new[] { "Microsoft.Network/privateDnsZones", "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "Microsoft.Network/privateEndpoints/privateDnsZoneGroups" })
        {
            var loop = Arm.OfType(type).Single(r => r.Json.TryGetProperty("copy", out _));
            Assert.Equal("[length(variables('targets'))]", Text(loop.At("copy", "count")));
        }

        Assert.Equal($"[{item}.zone]", Text(Arm.OfType("Microsoft.Network/privateDnsZones").Single(r => r.Json.TryGetProperty("copy", out _)).At("name")));
    }

    [Fact]
    public void The_function_app_runs_in_a_subnet_delegated_to_Flex_Consumption_in_a_network_whose_address_space_ops_choose()
    {
        var network = Arm.Single("Microsoft.Network/virtualNetworks");
        var space = network.At("properties", "addressSpace", "addressPrefixes")!.Value.EnumerateArray().Single();
        Assert.Equal("[parameters('addressPrefix')]", space.GetString());
        Assert.Equal(Text(Arm.Root.Parameter("vnetAddressPrefix")), Text(network.Scope.Parameter("addressPrefix")));
        var subnets = network.At("properties", "subnets")!.Value.EnumerateArray().ToList();
        var app = subnets.Single(s => s.GetProperty("name").GetString() == "app");
        Assert.Equal("Microsoft.App/environments", app.GetProperty("properties").GetProperty("delegations").EnumerateArray().Single().GetProperty("properties").GetProperty("serviceName").GetString());
        Assert.Contains(subnets, s => s.GetProperty("name").GetString() == "privateEndpoints");

        var site = Arm.Single("Microsoft.Web/sites");
        Assert.Contains("subnet", Text(site.At("properties", "virtualNetworkSubnetId")) ?? string.Empty, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Downloads_come_from_an_exports_account_that_holds_only_the_zips_and_the_app_writes_them_there()
    {
        // Issue 19, decision 67: with the records account closed, the browser fetches the zip from an account of its own,
        // public only for the read-only one-blob SAS, with nothing else in it.
        Assert.Equal(["'exports'"], Arm.InModule("exports", "Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => Text(c.At("name"))!.Split(", ").Last().TrimEnd(')', ']')).ToList());
        foreach (var type in new[] { "Microsoft.Storage/storageAccounts/tableServices/tables", "Microsoft.Storage/storageAccounts/queueServices/queues", "Microsoft.Storage/storageAccounts/fileServices/shares" })
        {
            Assert.Empty(Arm.InModule("exports", type));
        }

        Assert.DoesNotContain(Arm.InModule("storage", "Microsoft.Storage/storageAccounts/blobServices/containers"), c => Text(c.At("name"))!.Contains("'exports'", StringComparison.Ordinal));
        var settings = AppSettings(out _);
        var setting = Infomat.Privacy.Adapters.Storage.StorageClients.ExportsSetting.Replace(":", "__", StringComparison.Ordinal);
        Assert.True(settings.TryGetValue(setting, out var uri), $"{setting} is missing: the app would write the zips into the closed records account.");
        Assert.Equal("[parameters('exportsBlobEndpoint')]", uri);
        Assert.Contains("'exports'", Text(Arm.Single("Microsoft.Web/sites").Scope.Parameter("exportsBlobEndpoint")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_stores_files_are_in_an_account_of_their_own_that_sends_no_resource_logs_and_refuses_the_internet()
    {
        // Review of 7 December: a CV's blob is named after its file, and CVs are named after people ("CV_Jan_Janssens.pdf").
        // In the main account, whose writes and deletes go to Log Analytics for 90 days, an erasure wrote the applicant's
        // name into the workspace as it deleted the file. Their account sends no resource logs (each delete is counted in
        // the case's audit trail instead) and, like the records, is reached only over a private endpoint.
        var withFiles = Infomat.Privacy.Stores.DataMapLoader.Load(Infomat.Privacy.Stores.DataMapFiles.Default).Stores
            .Where(s => s.Tables.Any(t => t.FileColumns.Count > 0)).Select(s => $"'{Infomat.Privacy.Adapters.Stores.StoreFileNames.Container(s)}'").ToList();
        var loop = Arm.InModule("storeFiles", "Microsoft.Storage/storageAccounts/blobServices/containers").Single();
        var containers = loop.Scope.Parameter("containers")!.Value.EnumerateArray().Select(e => $"'{e.GetString()}'").ToList();
        Assert.Equal(withFiles.Order(), containers.Order());
        foreach (var module in new[] { "storage", "exports" })
        {
            var bicep = File.ReadAllText(Path.Combine(Repo.Root, "infra", "app", module + ".bicep"));
            Assert.All(withFiles, name => Assert.DoesNotContain(name, bicep, StringComparison.Ordinal));
        }

        // The app may read and delete there, container by container, and nothing more.
        var roles = Arm.InModule("storeFiles", "Microsoft.Authorization/roleAssignments").Single();
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('name'), 'default', parameters('containers')[copyIndex()])]", Text(roles.At("scope")));

        Assert.Empty(Arm.InModule("storeFiles", "Microsoft.Insights/diagnosticSettings"));
        Assert.Empty(Arm.InModule("storeFiles", "Microsoft.Storage/storageAccounts/tableServices/tables"));
        var account = Arm.InModule("storeFiles", "Microsoft.Storage/storageAccounts").Single();
        Assert.Equal("Deny", Text(account.At("properties", "networkAcls", "defaultAction")));
        Assert.Equal("None", Text(account.At("properties", "networkAcls", "bypass")));
        Assert.Equal("[if(empty(parameters('operatorIpAddress')), 'Disabled', 'Enabled')]", Text(account.At("properties", "publicNetworkAccess")));
        var endpoint = Arm.OfType("Microsoft.Network/privateEndpoints").Single(e => (Text(e.At("name")) ?? string.Empty).Contains("storeFilesAccountId", StringComparison.Ordinal));
        Assert.Equal("blob", endpoint.At("properties", "privateLinkServiceConnections")!.Value.EnumerateArray().Single().GetProperty("properties").GetProperty("groupIds").EnumerateArray().Single().GetString());

        var setting = Infomat.Privacy.Adapters.Storage.StorageClients.FilesSetting.Replace(":", "__", StringComparison.Ordinal);
        Assert.True(AppSettings(out _).TryGetValue(setting, out var uri), $"{setting} is missing: the app would look for the files in the main account.");
        Assert.Equal("[parameters('storeFilesBlobEndpoint')]", uri);
        Assert.Contains("'storeFiles'", Text(Arm.Single("Microsoft.Web/sites").Scope.Parameter("storeFilesBlobEndpoint")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_register_and_audit_trail_survive_a_zone_loss_and_no_versions_or_restore_points_keep_erased_data()
    {
        // Issue 19 item 2, decision 68: records kept for years are zone- (or geo-) redundant; point-in-time restore and
        // versioning are not wanted, since they would keep an erased person's data restorable for days.
        var storage = Arm.InModule("storage", "Microsoft.Storage/storageAccounts").Single();
        Assert.Equal("[parameters('skuName')]", storage.Json.GetProperty("sku").GetProperty("name").GetString());
        var sku = Arm.Root.Template.GetProperty("parameters").GetProperty("recordsStorageSku");
        string[] redundant = ["Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS"];
        Assert.Contains(sku.GetProperty("defaultValue").GetString(), redundant);
        Assert.All(sku.GetProperty("allowedValues").EnumerateArray(), v => Assert.Contains(v.GetString(), redundant));
        Assert.Equal("[parameters('recordsStorageSku')]", Arm.OfType("Microsoft.Resources/deployments").Single(d => d.Json.GetProperty("name").GetString() == "storage").Json.GetProperty("properties").GetProperty("parameters").GetProperty("skuName").GetProperty("value").GetString());

        var blobs = Arm.InModule("storage", "Microsoft.Storage/storageAccounts/blobServices").Single();
        Assert.NotEqual(true, Bool(blobs.At("properties", "restorePolicy", "enabled")));
        Assert.NotEqual(true, Bool(blobs.At("properties", "changeFeed", "enabled")));
        Assert.NotEqual(true, Bool(blobs.At("properties", "isVersioningEnabled")));
    }

    /// <summary>Every alert rule with its query: a rule written once, or a loop over a list of rules (one query each).</summary>
    private static List<(ArmTemplate.Resource Rule, string Query)> AlertRules()
    {
        var rules = new List<(ArmTemplate.Resource Rule, string Query)>();
        foreach (var r in Arm.OfType("Microsoft.Insights/scheduledQueryRules"))
        {
            var query = Text(r.At("properties", "criteria", "allOf")!.Value.EnumerateArray().Single().GetProperty("query"))!;
            if (r.Json.TryGetProperty("copy", out _))
            {
                var list = ArmTemplate.Scope.VariablesIn(Text(r.At("copy", "count"))!).Single();
                Assert.Equal($"[variables('{list}')[copyIndex()].query]", query);
                rules.AddRange(r.Scope.Variable(list)!.Value.EnumerateArray().Select(item => (r, item.GetProperty("query").GetString()!)));
            }
            else
            {
                rules.Add((r, Text(r.Scope.Resolve(r.At("properties", "criteria", "allOf")!.Value.EnumerateArray().Single().GetProperty("query")))!));
            }
        }

        return rules;
    }

    /// <summary>
    /// An alert that names the right counter can still never fire, or miss counts: a measure column its query does not
    /// produce, a threshold above one case, a window shorter than the time between evaluations (counts in the gap are
    /// never looked at), or several failing periods asked for a counter that counts once. Each rule must fire on the
    /// first count in any window, and look at every minute once.
    /// </summary>
    [Fact]
    public void Every_alert_fires_on_the_first_count_of_its_query_and_looks_at_every_minute_once()
    {
        var rules = AlertRules();
        Assert.True(rules.Count >= 7, $"{rules.Count} alert rules");
        foreach (var (rule, query) in rules)
        {
            var name = Text(rule.At("name")) ?? "?";
            var criterion = rule.At("properties", "criteria", "allOf")!.Value.EnumerateArray().Single();
            var column = Text(rule.Scope.Resolve(criterion.GetProperty("metricMeasureColumn")))!;
            Assert.True(query.Contains($"summarize {column} = ", StringComparison.Ordinal), $"{name}: its query does not produce the column '{column}' the alert measures");
            Assert.Equal("GreaterThan", Text(rule.Scope.Resolve(criterion.GetProperty("operator"))));
            Assert.Equal("Total", Text(rule.Scope.Resolve(criterion.GetProperty("timeAggregation"))));
            Assert.True(rule.Scope.Resolve(criterion.GetProperty("threshold"))?.GetDouble() == 0, $"{name}: the threshold must be 0 (one case is enough)");
            var periods = criterion.GetProperty("failingPeriods");
            Assert.Equal(1, periods.GetProperty("minFailingPeriodsToAlert").GetInt32());
            Assert.Equal(1, periods.GetProperty("numberOfEvaluationPeriods").GetInt32());
            var (every, window) = (Text(rule.At("properties", "evaluationFrequency")), Text(rule.At("properties", "windowSize")));
            Assert.True(every is not null && every == window, $"{name}: evaluated every {every} over a window of {window}: counts between windows would be missed, or counted twice");
            Assert.True(Bool(rule.At("properties", "enabled")), $"{name} is disabled");
        }
    }

    [Fact]
    public void Failed_timer_runs_and_failed_orchestrations_each_alert_the_action_group()
    {
        // Issue 19 item 2: the app's own counters say nothing when the function that would count fails or never runs.
        var rules = AlertRules();
        var timers = FunctionsAppTests.Triggers("timerTrigger").Select(t => t.Name).Distinct().ToList();
        Assert.NotEmpty(timers);
        var orchestrators = FunctionsAppTests.Triggers("orchestrationTrigger").Select(t => t.Name).Distinct().ToList();
        Assert.NotEmpty(orchestrators);
        foreach (var watched in new[] { timers, orchestrators })
        {
            var rule = rules.Where(r => r.Query.Contains("AppRequests", StringComparison.Ordinal) && r.Query.Contains("Success == false", StringComparison.Ordinal)
                && watched.All(n => r.Query.Contains($"\"{n}\"", StringComparison.Ordinal))).Select(r => r.Rule).FirstOrDefault();
            Assert.True(rule is not null, $"no alert on failed runs of {string.Join(", ", watched)}");
            Assert.True(Bool(rule!.At("properties", "enabled")));
            Assert.NotEmpty(rule.At("properties", "actions", "actionGroups")!.Value.EnumerateArray());
        }

        var group = Arm.Single("Microsoft.Insights/actionGroups");
        Assert.Contains("alertEmail", group.Json.GetProperty("properties").GetProperty("emailReceivers").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void In_Azure_the_app_changes_no_database_schema_at_run_time()
    {
        // Issue 19 item 3: no DDL at run time in Azure: no demo stores, no system tables created by the app (ops create
        // them once with the SQL in docs/deploy.md, and the app reports a missing one as a schema problem).
        var settings = AppSettings(out _);
        Assert.Equal("false", settings["Stores__SeedDemoData"]);
        Assert.Equal("false", settings["Stores__CreateSystemTables"]);
        Assert.True(new Infomat.Privacy.Adapters.Stores.StoreOptions().CreateSystemTables, "locally the app still creates its tables");
        var deploy = File.ReadAllText(Path.Combine(Repo.Root, "docs", "deploy.md"));
        foreach (var table in new[] { Infomat.Privacy.Adapters.Stores.SqlEntityStore.ActionsTable, Infomat.Privacy.Adapters.Stores.SqlEntityStore.HoldsTable, Infomat.Privacy.Adapters.Stores.SqlEntityStore.FileDeletionsTable })
        {
            Assert.Contains($"CREATE TABLE IF NOT EXISTS %I.{table}", deploy, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_existing_PostgreSQL_server_named_by_parameter_gets_a_private_endpoint_and_zone_in_the_app_network()
    {
        Assert.Equal(string.Empty, Arm.Root.Parameter("postgresServerId")!.Value.GetString());
        var endpoint = Arm.OfType("Microsoft.Network/privateEndpoints").Single(e => e.Json.TryGetProperty("condition", out _));
        Assert.Equal("[not(empty(parameters('postgresServerId')))]", endpoint.Json.GetProperty("condition").GetString());
        var connection = endpoint.At("properties", "privateLinkServiceConnections")!.Value.EnumerateArray().Single().GetProperty("properties");
        Assert.Equal("postgresqlServer", connection.GetProperty("groupIds").EnumerateArray().Single().GetString());
        Assert.Equal("[parameters('postgresServerId')]", connection.GetProperty("privateLinkServiceId").GetString());
        Assert.Contains(Arm.OfType("Microsoft.Network/privateDnsZones"), z => Text(z.At("name")) == "privatelink.postgres.database.azure.com");
    }

    [Fact]
    public void The_what_if_script_resolves_the_parameters_file_as_azd_does()
    {
        // Issue 19: what-if cannot run here (no subscription); what can be checked is that bash reads the script and that
        // it gives what-if the parameters azd would: each ${NAME} from the environment, ${NAME=default} otherwise.
        var path = Path.Combine(Repo.Root, "scripts", "what-if.sh");
        Assert.True(File.Exists(path), "scripts/what-if.sh is missing");
        string Run(params string[] args)
        {
            var start = new System.Diagnostics.ProcessStartInfo("bash", [.. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["AZURE_ENV_NAME"] = "infomat-prod";
            start.Environment["PRIVACY_STAFF_ADDRESS"] = "privacy@infomat.eu;dpo@infomat.eu";
            start.Environment["ALERT_EMAIL"] = "ops \"on call\"@infomat.eu";
            start.Environment.Remove("PRIVACY_STAFF_LANGUAGE");
            using var bash = System.Diagnostics.Process.Start(start)!;
            var output = bash.StandardOutput.ReadToEnd();
            var errors = bash.StandardError.ReadToEnd();
            bash.WaitForExit();
            Assert.True(bash.ExitCode == 0, errors);
            return output;
        }

        Run("-n", path);
        var resolved = Run(path, "--print-parameters");
        Assert.DoesNotContain("${", resolved, StringComparison.Ordinal);
        var values = JsonDocument.Parse(resolved).RootElement.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetString());
        Assert.Equal("infomat-prod", values["environmentName"]);
        Assert.Equal("privacy@infomat.eu;dpo@infomat.eu", values["staffAddress"]);
        Assert.Equal("ops \"on call\"@infomat.eu", values["alertEmail"]);
        Assert.Equal("Nl", values["staffLanguage"]);
        Assert.Equal(string.Empty, values["operatorIpAddress"]);
        Assert.All(Arm.Root.Parameters.Where(p => !p.Value.TryGetProperty("defaultValue", out _)), p => Assert.Contains(p.Name, values.Keys));
    }

    [Fact]
    public void The_line_the_deploy_doc_gives_to_load_the_azd_environment_reaches_the_what_if_script()
    {
        // Review of 7 December: the doc said `eval "$(azd env get-values)"`, which sets shell variables but exports none
        // (azd prints KEY="value" lines), so the script saw nothing. The documented line is run here, with an azd stand-in.
        var doc = File.ReadAllLines(Path.Combine(Repo.Root, "docs", "deploy.md"));
        var line = doc.Single(l => l.Contains("azd env get-values", StringComparison.Ordinal) && l.TrimStart().StartsWith("set -a", StringComparison.Ordinal));
        var load = line[..line.IndexOf('#', StringComparison.Ordinal)].Trim();
        var bin = Directory.CreateTempSubdirectory("azd-stand-in");
        try
        {
            var azd = Path.Combine(bin.FullName, "azd");
            File.WriteAllText(azd, "#!/bin/sh\nprintf 'AZURE_ENV_NAME=\"infomat-doc\"\\nPRIVACY_STAFF_ADDRESS=\"privacy@infomat.eu\"\\n'\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(azd, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", load + "; scripts/what-if.sh --print-parameters"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root,
            };
            start.Environment["PATH"] = bin.FullName + ":" + Environment.GetEnvironmentVariable("PATH");
            start.Environment.Remove("AZURE_ENV_NAME");
            start.Environment.Remove("PRIVACY_STAFF_ADDRESS");
            using var bash = System.Diagnostics.Process.Start(start)!;
            var output = bash.StandardOutput.ReadToEnd();
            var errors = bash.StandardError.ReadToEnd();
            bash.WaitForExit();
            Assert.True(bash.ExitCode == 0, errors);
            var values = JsonDocument.Parse(output).RootElement.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetString());
            Assert.Equal("infomat-doc", values["environmentName"]);
            Assert.Equal("privacy@infomat.eu", values["staffAddress"]);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> AppSettings(out ArmTemplate.Resource resource)
    {
        resource = Arm.OfType("Microsoft.Web/sites/config").Single(c => Text(c.At("name"))!.Contains("'appsettings'", StringComparison.Ordinal));
        var properties = resource.Json.GetProperty("properties");
        Assert.True(properties.ValueKind == JsonValueKind.Object, "app settings must be written out one by one so they can be checked.");
        return properties.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
    }

    [GeneratedRegex(@"^\[add\(parameters\('([^']+)'\), (\d+)\)\]$")]
    private static partial Regex ParameterPlus();

    [GeneratedRegex(@"(?i)(key|secret|state|password|connectionstring|token|credential)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^\[format\('\{0\}([a-z0-9-]+)\)', variables\('vault'\)\)\]$")]
    private static partial Regex VaultReference();

    [GeneratedRegex(@"^([a-z0-9-]+) (generate:\d+|carried:[A-Z_]+|[A-Z_]+)$")]
    private static partial Regex HookSecret();

    [GeneratedRegex(@"^(\d+)\.(\d{2}):\d{2}:\d{2}$")]
    private static partial Regex SasPeriod();
}
