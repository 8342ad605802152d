using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// scripts/azd/postprovision.sh against a stand-in for the Azure CLI that keeps a vault in a folder: it must create
/// the generated keys once and never replace them, take the operator's secrets from the environment (and replace them
/// when given again: rotation), wait out a role assignment that has not reached Key Vault yet, name what is missing,
/// and never put a secret on a command line or in its output.
/// </summary>
public sealed class PostProvisionHookTests
{
    private const string FakeAz = """
        #!/bin/sh
        # Stand-in for az: keyvault secret list / set on the folder $FAKE_VAULT.
        printf '%s\n' "$*" >> "$FAKE_VAULT/calls"
        if [ "$1 $2 $3" = "keyvault secret list" ]; then
          if [ -f "$FAKE_VAULT/firewall" ]; then
            echo "(Forbidden) Client address is not authorized and caller is not a trusted service. Code: ForbiddenByFirewall" >&2
            exit 1
          fi
          left=$(cat "$FAKE_VAULT/forbidden" 2>/dev/null || echo 0)
          if [ "$left" -gt 0 ]; then
            echo $((left - 1)) > "$FAKE_VAULT/forbidden"
            echo "(Forbidden) Caller is not authorized to perform action on resource." >&2
            exit 1
          fi
          ls "$FAKE_VAULT/secrets"
          exit 0
        fi
        if [ "$1 $2 $3" = "keyvault secret show" ]; then
          shift 3
          while [ $# -gt 0 ]; do
            case "$1" in
              --name) name="$2"; shift 2 ;;
              *) shift ;;
            esac
          done
          cat "$FAKE_VAULT/secrets/$name"
          echo
          exit 0
        fi
        if [ "$1 $2 $3" = "keyvault secret set" ]; then
          shift 3
          while [ $# -gt 0 ]; do
            case "$1" in
              --name) name="$2"; shift 2 ;;
              --file) file="$2"; shift 2 ;;
              *) shift ;;
            esac
          done
          cp "$file" "$FAKE_VAULT/secrets/$name"
          exit 0
        fi
        echo "fake az: unexpected $*" >&2
        exit 2
        """;

    private static readonly Dictionary<string, string> OperatorSecrets = new()
    {
        ["SENDGRID_API_KEY"] = "SG.sendgrid-test-value-1",
        ["GRAPH_CLIENT_SECRET"] = "graph~secret~test~value~1",
        ["STORES_CONNECTION_STRING"] = "Host=stores.example;Database=infomat;Username=privacy;Password=pw-test-value-1",
        ["STAFF_SIGNIN_CLIENT_SECRET"] = "signin~secret~test~value~1",

        // A first deployment: the stores never held this app's data, so a new pseudonymisation key is right.
        ["PSEUDONYMISATION_KEY_NEW"] = "yes",
    };

    private sealed class Vault
    {
        public string Root { get; } = Repo.NewTempDirectory("fake-vault");

        public Vault()
        {
            Directory.CreateDirectory(Path.Combine(Root, "secrets"));
            Directory.CreateDirectory(Path.Combine(Root, "bin"));
            var az = Path.Combine(Root, "bin", "az");
            File.WriteAllText(az, FakeAz.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public string? Secret(string name) => File.Exists(Path.Combine(Root, "secrets", name)) ? File.ReadAllText(Path.Combine(Root, "secrets", name)) : null;

        public string Calls => File.Exists(Path.Combine(Root, "calls")) ? File.ReadAllText(Path.Combine(Root, "calls")) : string.Empty;

        public Task<(int Exit, string Output)> RunHookAsync(IReadOnlyDictionary<string, string> environment, int forbiddenFirst = 0)
        {
            File.WriteAllText(Path.Combine(Root, "forbidden"), forbiddenFirst.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var variables = new Dictionary<string, string?>
            {
                ["PATH"] = Path.Combine(Root, "bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
                ["FAKE_VAULT"] = Root,
                ["AZURE_KEY_VAULT_NAME"] = "kv-privacy-test",
                ["KEY_VAULT_LIST_WAIT_SECONDS"] = "0",
            };
            foreach (var name in OperatorSecrets.Keys)
            {
                variables[name] = null;
            }

            foreach (var (name, value) in environment)
            {
                variables[name] = value;
            }

            return Scripts.RunAsync(Path.Combine("azd", "postprovision.sh"), [], "sh", variables);
        }
    }

    [Fact]
    public async Task A_new_vault_gets_generated_keys_and_the_operators_secrets_without_any_value_on_a_command_line_or_in_the_output()
    {
        var vault = new Vault();

        var (exit, output) = await vault.RunHookAsync(OperatorSecrets, forbiddenFirst: 2);

        Assert.True(exit == 0, output);
        Assert.Contains("retrying", output, StringComparison.Ordinal);
        foreach (var name in new[] { "token-signing-key", "pseudonymisation-key", "keyring-encryption-key" })
        {
            Assert.Equal(32, Convert.FromBase64String(vault.Secret(name)!).Length);
        }

        Assert.InRange(vault.Secret("graph-client-state")!.Length, 32, 128);
        Assert.Equal(OperatorSecrets["SENDGRID_API_KEY"], vault.Secret("sendgrid-api-key"));
        Assert.Equal(OperatorSecrets["GRAPH_CLIENT_SECRET"], vault.Secret("graph-client-secret"));
        Assert.Equal(OperatorSecrets["STORES_CONNECTION_STRING"], vault.Secret("stores-connection-string"));
        Assert.Equal(OperatorSecrets["STAFF_SIGNIN_CLIENT_SECRET"], vault.Secret("staff-signin-client-secret"));
        Assert.NotEqual(vault.Secret("token-signing-key"), vault.Secret("pseudonymisation-key"));

        var everyValue = Directory.EnumerateFiles(Path.Combine(vault.Root, "secrets")).Select(File.ReadAllText).ToList();
        Assert.All(everyValue, value =>
        {
            Assert.DoesNotContain(value, output, StringComparison.Ordinal);
            Assert.DoesNotContain(value, vault.Calls, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Running_again_rotates_the_secrets_given_and_never_replaces_the_pseudonymisation_key()
    {
        var vault = new Vault();
        Assert.Equal(0, (await vault.RunHookAsync(OperatorSecrets)).Exit);
        var pseudonymisationKey = vault.Secret("pseudonymisation-key");
        var signingKey = vault.Secret("token-signing-key");
        var clientState = vault.Secret("graph-client-state");

        var (exit, output) = await vault.RunHookAsync(new Dictionary<string, string> { ["SENDGRID_API_KEY"] = "SG.rotated-value-2" });

        Assert.True(exit == 0, output);
        Assert.Equal("SG.rotated-value-2", vault.Secret("sendgrid-api-key"));
        Assert.Equal(OperatorSecrets["GRAPH_CLIENT_SECRET"], vault.Secret("graph-client-secret"));
        Assert.Equal(pseudonymisationKey, vault.Secret("pseudonymisation-key"));
        Assert.Equal(signingKey, vault.Secret("token-signing-key"));
        Assert.Equal(clientState, vault.Secret("graph-client-state"));
        Assert.Contains("pseudonymisation-key: present, kept.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_vault_gets_no_new_pseudonymisation_key_unless_the_operator_says_the_stores_are_new_and_carries_an_earlier_one_over()
    {
        // Ops review of 8 December: after `azd down`, `azd env new` made a new vault and the hook generated a new key for
        // stores that outlive the group: the suppression list and the legal holds they hold no longer matched anyone.
        var vault = new Vault();
        var withoutConfirmation = OperatorSecrets.Where(kv => kv.Key != "PSEUDONYMISATION_KEY_NEW").ToDictionary();

        var (exit, output) = await vault.RunHookAsync(withoutConfirmation);

        Assert.NotEqual(0, exit);
        Assert.Null(vault.Secret("pseudonymisation-key"));
        Assert.Contains("pseudonymisation-key: none in this vault. If the stores held this app's data under an earlier vault, export PSEUDONYMISATION_KEY", output, StringComparison.Ordinal);
        Assert.Contains("export PSEUDONYMISATION_KEY_NEW=yes", output, StringComparison.Ordinal);

        // Carried over from the earlier vault: stored as given, never printed.
        var earlier = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var carried = await vault.RunHookAsync(new Dictionary<string, string>(withoutConfirmation) { ["PSEUDONYMISATION_KEY"] = earlier });
        Assert.True(carried.Exit == 0, carried.Output);
        Assert.Equal(earlier, vault.Secret("pseudonymisation-key"));
        Assert.DoesNotContain(earlier, carried.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(earlier, vault.Calls, StringComparison.Ordinal);

        // Given again and different from the one the vault holds: refused, the vault's kept.
        var other = await vault.RunHookAsync(new Dictionary<string, string> { ["PSEUDONYMISATION_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) });
        Assert.NotEqual(0, other.Exit);
        Assert.Contains("never replaced", other.Output, StringComparison.Ordinal);
        Assert.Equal(earlier, vault.Secret("pseudonymisation-key"));
    }

    [Fact]
    public async Task A_missing_operator_secret_is_named_with_the_variable_to_set_and_stops_the_deployment()
    {
        var vault = new Vault();
        var withoutSendGrid = OperatorSecrets.Where(kv => kv.Key != "SENDGRID_API_KEY").ToDictionary();

        var (exit, output) = await vault.RunHookAsync(withoutSendGrid);

        Assert.NotEqual(0, exit);
        Assert.Contains("sendgrid-api-key: export SENDGRID_API_KEY=", output, StringComparison.Ordinal);
        Assert.Null(vault.Secret("sendgrid-api-key"));
        Assert.NotNull(vault.Secret("graph-client-secret"));
        Assert.NotNull(vault.Secret("pseudonymisation-key"));
    }

    [Fact]
    public async Task A_vault_that_never_lets_us_in_fails_with_what_to_check()
    {
        var vault = new Vault();
        var env = new Dictionary<string, string>(OperatorSecrets) { ["KEY_VAULT_LIST_ATTEMPTS"] = "3" };

        var (exit, output) = await vault.RunHookAsync(env, forbiddenFirst: 10);

        Assert.NotEqual(0, exit);
        Assert.Contains("Key Vault Secrets Officer", output, StringComparison.Ordinal);
        Assert.Null(vault.Secret("token-signing-key"));
    }

    [Fact]
    public async Task A_vault_whose_network_rules_refuse_this_machine_says_so_at_once_and_names_the_setting()
    {
        // Ops review of 8 December: after the first deployment the vault is closed to the internet; the hook waited five
        // minutes and then blamed the role.
        var vault = new Vault();
        File.WriteAllText(Path.Combine(vault.Root, "firewall"), "on");

        var (exit, output) = await vault.RunHookAsync(OperatorSecrets);

        Assert.NotEqual(0, exit);
        Assert.Contains("refuses this machine's address", output, StringComparison.Ordinal);
        Assert.Contains("OPERATOR_IP_ADDRESS", output, StringComparison.Ordinal);
        Assert.DoesNotContain("retrying", output, StringComparison.Ordinal);
        Assert.Single(vault.Calls.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Rotating_the_token_signing_key_puts_a_new_signing_key_first_and_keeps_the_previous_one_until_it_is_retired()
    {
        var vault = new Vault();
        Assert.Equal(0, (await vault.RunHookAsync(OperatorSecrets)).Exit);
        var original = vault.Secret("token-signing-key")!;

        var (exit, output) = await vault.RunHookAsync(new Dictionary<string, string> { ["TOKEN_SIGNING_KEY_ROTATION"] = "rotate" });

        Assert.True(exit == 0, output);
        var ring = Tokens.LinkTokenKeys.TryParse(vault.Secret("token-signing-key"));
        Assert.NotNull(ring);
        Assert.Equal(2, ring.Count);
        Assert.Equal(Tokens.LinkTokenKeys.TryParse(original)![0].Id, ring[1].Id);
        Assert.Contains("token-signing-key: new signing key added", output, StringComparison.Ordinal);
        Assert.DoesNotContain(original, output, StringComparison.Ordinal);
        Assert.DoesNotContain(original, vault.Calls, StringComparison.Ordinal);
        Assert.DoesNotContain(vault.Secret("token-signing-key")!.Split(',')[0], output + vault.Calls, StringComparison.Ordinal);

        // Once the longest-lived link signed with the previous key has expired (90 days), the previous key is retired.
        (exit, output) = await vault.RunHookAsync(new Dictionary<string, string> { ["TOKEN_SIGNING_KEY_ROTATION"] = "retire" });

        Assert.True(exit == 0, output);
        var retired = Tokens.LinkTokenKeys.TryParse(vault.Secret("token-signing-key"));
        Assert.Equal([ring[0].Id], retired!.Select(k => k.Id));
        Assert.Contains("token-signing-key: previous keys removed", output, StringComparison.Ordinal);
    }
}
