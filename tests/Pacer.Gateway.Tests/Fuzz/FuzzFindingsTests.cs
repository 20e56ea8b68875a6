using System.Net;
using System.Text;
using System.Text.Json;
using Pacer.Configuration;
using Pacer.Gateway.Tests.Support;
using static Pacer.Gateway.Tests.Support.GatewayRequests;
using Pacer.Http;
using Pacer.Usage;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>Each input the fuzz suite (or its review) found mishandled, as a plain regression test named by the input.</summary>
public sealed class FuzzFindingsTests : IAsyncLifetime
{
    private UpstreamGateway _setup = null!;

    public async ValueTask InitializeAsync()
    {
        _setup = await UpstreamGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
            ["ANTHROPIC_MAX_RETRIES"] = "0",
        });
    }

    public ValueTask DisposeAsync() => _setup.DisposeAsync();

    [Theory]
    [InlineData("/api/admin/update-rate-limits", new byte[] { 0x7B, 0x22, 0xFF, 0xFE, 0x63, 0x22, 0x3A, 0x7B, 0x7D, 0x7D }, "not valid UTF-8")] // {"\xFF\xFEc":{}}
    [InlineData("/api/admin/update-rate-limits", new byte[] { 0x7B, 0x22, 0x63, 0x6F, 0x6E, 0x66, 0x69, 0x67, 0x22, 0x3A, 0x7B, 0x22, 0xC0, 0xAF, 0x22, 0x3A, 0x31, 0x7D, 0x7D }, "not valid UTF-8")] // {"config":{"\xC0\xAF":1}}
    [InlineData("/api/admin/keys", new byte[] { 0x7B, 0x22, 0xFF, 0x75, 0x73, 0x65, 0x72, 0x22, 0x3A, 0x31, 0x7D }, "not valid UTF-8")] // {"\xFFuser":1}
    public async Task AdminPost_BodyNotUtf8_400NamingTheEncodingAndNothingChanged(string path, byte[] body, string expected)
    {
        var before = await StatusSettingsAsync();
        using var request = AdminRequest(HttpMethod.Post, path, body);
        using var response = await _setup.Gateway.Client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await GatewayRequests.ErrorOf(response)).Message.ShouldContain(expected);
        (await StatusSettingsAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("/api/admin/keys", """{"user":"\ud800"}""", "'user'")]
    [InlineData("/api/admin/keys", """{"user":"alice","name":"\udc00\ud800"}""", "'name'")]
    [InlineData("/api/admin/update-rate-limits", """{"config":{"\ud800":1}}""", "field name")]
    public async Task AdminPost_UnpairedSurrogateEscape_400NamingWhere(string path, string json, string expected)
    {
        using var request = AdminRequest(HttpMethod.Post, path, Encoding.UTF8.GetBytes(json));
        using var response = await _setup.Gateway.Client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await GatewayRequests.ErrorOf(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain("not valid Unicode");
        message.ShouldContain(expected);
    }

    [Fact]
    public async Task PutBudget_PeriodUnpairedSurrogate_400AndNoBudget()
    {
        using var request = AdminRequest(HttpMethod.Put, "/api/admin/budgets/alice", """{"credits":5,"period":"\ud800"}"""u8.ToArray());
        using var response = await _setup.Gateway.Client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await GatewayRequests.ErrorOf(response)).Message.ShouldContain("'period'");
        using var get = AdminRequest(HttpMethod.Get, "/api/admin/budgets/alice", null);
        (await _setup.Gateway.Client.SendAsync(get)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DashboardSignIn_KeyUnpairedSurrogate_400()
    {
        using var content = new StringContent("""{"key":"\ud800"}""", Encoding.UTF8, "application/json");
        using var response = await _setup.Gateway.Client.PostAsync("/dashboard/session", content);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AdminUnknownPath_DotDotUnderBudgets_404WithSuccessFalse()
    {
        using var request = AdminRequest(HttpMethod.Put, "/api/admin/budgets/..", """{"credits":5,"period":"day"}"""u8.ToArray());
        using var response = await _setup.Gateway.Client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("success").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("not_found_error");
    }

    [Fact]
    public async Task UpdateRateLimits_EmptySettingName_RefusalSaysTheNameIsEmpty()
    {
        using var request = AdminRequest(HttpMethod.Post, "/api/admin/update-rate-limits", """{"config":{"":0.5}}"""u8.ToArray());
        using var response = await _setup.Gateway.Client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await GatewayRequests.ErrorOf(response)).Message.ShouldContain("\"\" (a setting with an empty name): '0.5' is not a known setting");
    }

    [Theory]
    [InlineData("""{"model":"\ud800","max_tokens":50,"messages":[{"role":"user","content":"Hi"}]}""")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":50,"metadata":{"user_id":"\udc00"},"messages":[]}""")]
    public async Task PostMessages_UnpairedSurrogateInModelOrUser_ForwardedNot500(string json)
    {
        using var request = GatewayRequests.Message();
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _setup.Gateway.Client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _setup.Upstream.Requests.Last().Body.ShouldBe(Encoding.UTF8.GetBytes(json));
    }

    [Fact]
    public async Task PostMessages_HeaderXStainlessTimeoutE_ForwardedAsSentNot502()
    {
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = _setup.Gateway.BaseUrl };
        using var request = GatewayRequests.Message();
        request.Headers.TryAddWithoutValidation("x-stainless-timeout", "é");
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _setup.Upstream.Requests.Last().Headers["x-stainless-timeout"].ShouldBe("é");
    }

    [Fact]
    public void RequestFactsRead_ModelUnpairedSurrogateEscape_NoneInsteadOfThrowing()
    {
        RequestFacts.Read("""{"model":"\ud800","max_tokens":5}"""u8).ShouldBe(RequestFacts.None);
    }

    [Theory]
    [InlineData("""{"families":[{"family":"\ud800","models":["m"],"input":1,"output":1,"cacheWrite5m":1,"cacheWrite1h":1,"cacheRead":1}]}""", "not valid Unicode")]
    public void PriceBookParse_UnpairedSurrogate_PriceBookExceptionNamingTheFile(string json, string expected)
    {
        var refused = Should.Throw<PriceBookException>(() => PriceBook.Parse(json, "prices.json"));
        refused.Message.ShouldStartWith("Price book 'prices.json': ");
        refused.Message.ShouldContain(expected);
    }

    [Fact]
    public void PriceBookParse_RawUnpairedSurrogateInText_PriceBookExceptionNotArgumentException()
    {
        // Built in code: a theory's data would be serialized and the surrogate replaced.
        var json = "{\"families\":[{\"family\":\"son" + '\ud800' + "net\"}]}";
        var refused = Should.Throw<PriceBookException>(() => PriceBook.Parse(json, "prices.json"));
        refused.Message.ShouldBe("Price book 'prices.json': is not valid Unicode text (an unpaired surrogate)");
    }

    [Fact]
    public void SettingErrorToString_EmptyField_SaysTheNameIsEmpty()
    {
        new SettingError(string.Empty, "1", "is not a known setting").ToString().ShouldBe("\"\" (a setting with an empty name): '1' is not a known setting");
    }

    private async Task<string> StatusSettingsAsync()
    {
        using var request = AdminRequest(HttpMethod.Get, "/api/admin/rate-limit-status", null);
        using var response = await _setup.Gateway.Client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("settings").GetRawText() + json.RootElement.GetProperty("gateway").GetProperty("persistedSettings").GetRawText();
    }
}
