using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The Azure path of the download link: no account key, a token credential (as the managed identity gives), so the
/// read-only link is a user delegation SAS. Azurite runs in OAuth mode over HTTPS for it (it checks the token's
/// issuer, audience and lifetime, not its signature).
/// </summary>
public sealed class UserDelegationSasTests : IAsyncLifetime
{
    private int port = Repo.FreePort();
    private readonly string directory = Repo.NewTempDirectory("azurite-oauth");
    private X509Certificate2 certificate = null!;
    private Process? azurite;

    public async Task InitializeAsync()
    {
        // A self-signed certificate for 127.0.0.1, trusted only by this test's clients.
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, rsa.ExportPkcs8PrivateKeyPem());

        // As the shared Azurite fixture does: a free port can be taken by another process between the check and the
        // bind (other test groups start their own instances), and then Azurite exits: try again on a new port.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(certPath, keyPath, TimeSpan.FromSeconds(60)))
            {
                return;
            }

            if (azurite is { HasExited: false })
            {
                azurite.Kill(entireProcessTree: true);
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException("Azurite (blob, with OAuth and HTTPS) did not start in three attempts.");
            }

            port = Repo.FreePort();
        }
    }

    private async Task<bool> TryStartAsync(string certPath, string keyPath, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Path.Combine(Repo.Root, "node_modules", ".bin", "azurite-blob"))
        {
            ArgumentList =
            {
                "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry",
                "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--oauth", "basic", "--cert", certPath, "--key", keyPath,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        azurite = Process.Start(start)!;
        azurite.BeginOutputReadLine();
        azurite.BeginErrorReadLine();
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException) when (DateTime.UtcNow < until && !azurite.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }

    public Task DisposeAsync()
    {
        if (azurite is { HasExited: false })
        {
            azurite.Kill(entireProcessTree: true);
            azurite.WaitForExit(5000);
        }

        azurite?.Dispose();
        certificate.Dispose();
        return Task.CompletedTask;
    }

    private HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == certificate.Thumbprint,
    };

    [Fact]
    public async Task Without_an_account_key_the_link_is_a_user_delegation_SAS_read_only_https_for_one_blob_and_it_expires()
    {
        var options = new BlobClientOptions { Transport = new HttpClientTransport(TrustingHandler()) };
        var blobs = new BlobServiceClient(new Uri($"https://127.0.0.1:{port}/devstoreaccount1"), new FakeEntraToken(), options);
        var storage = new StorageClients(blobs, new TableServiceClient("UseDevelopmentStorage=true"), new QueueServiceClient("UseDevelopmentStorage=true"));
        var exports = new BlobExportStorage(storage);
        await exports.WriteAsync("PR-AAAA-BBBB-CCCC/infomat-export-PR-AAAA-BBBB-CCCC.zip", null, (stream, ct) => stream.WriteAsync("the zip"u8.ToArray(), ct).AsTask(), default);

        await exports.WriteAsync("PR-ZZZZ-ZZZZ-ZZZZ/infomat-export-PR-ZZZZ-ZZZZ-ZZZZ.zip", null, (stream, ct) => stream.WriteAsync("someone else's zip"u8.ToArray(), ct).AsTask(), default);

        var link = await exports.CreateReadLinkAsync("PR-AAAA-BBBB-CCCC/infomat-export-PR-AAAA-BBBB-CCCC.zip", TimeSpan.FromSeconds(4), default);

        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        Assert.False(blobs.CanGenerateAccountSasUri);
        Assert.NotNull(query["skoid"]);          // signed with a user delegation key, not an account key
        Assert.Equal("r", query["sp"]);          // read only
        Assert.Equal("b", query["sr"]);          // one blob
        Assert.Equal("https", query["spr"]);     // HTTPS only
        using var http = new HttpClient(TrustingHandler());
        Assert.Equal("the zip", await http.GetStringAsync(link));
        var otherBlob = new UriBuilder(link) { Path = "/devstoreaccount1/exports/PR-ZZZZ-ZZZZ-ZZZZ/infomat-export-PR-ZZZZ-ZZZZ-ZZZZ.zip" }.Uri;
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(otherBlob)).StatusCode);
        using (var put = new ByteArrayContent("overwritten"u8.ToArray()))
        {
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PutAsync(link, put)).StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(link)).StatusCode);
    }

    /// <summary>A bearer token shaped like Entra's for Storage (Azurite in basic OAuth mode does not check the signature).</summary>
    private sealed class FakeEntraToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var header = B64("""{"alg":"RS256","typ":"JWT"}""");
            var payload = B64($$"""{"aud":"https://storage.azure.com","iss":"https://sts.windows.net/ab1f708d-50f6-404c-a006-d71b2ac7a606/","iat":{{now.AddMinutes(-5).ToUnixTimeSeconds()}},"nbf":{{now.AddMinutes(-5).ToUnixTimeSeconds()}},"exp":{{now.AddHours(1).ToUnixTimeSeconds()}},"oid":"00000000-0000-0000-0000-0000000000aa","tid":"ab1f708d-50f6-404c-a006-d71b2ac7a606"}""");
            return new AccessToken($"{header}.{payload}.c2lnbmF0dXJl", now.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
