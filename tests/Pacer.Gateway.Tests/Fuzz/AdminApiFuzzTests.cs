using System.Net;
using System.Text;
using System.Text.Json;
using FsCheck.Fluent;
using Pacer.Configuration;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>
/// The admin API under fuzzed bodies, paths and query strings: never a 5xx, every refusal a 4xx in Anthropic's shape
/// (with the seed's <c>success: false</c>) that says what is wrong, and a refused change leaves everything as it was.
/// </summary>
public sealed class AdminApiFuzzTests(FuzzGateway fixture) : IClassFixture<FuzzGateway>
{
    private const int Slice = 250;

    private static readonly string[] SettingNames = [.. PacerSettings.All.Select(s => s.JsonName), "MaxRetries", "maxretries", "", "unknown", "max_retries"];

    private HttpClient Client => fixture.Client;

    [Fact]
    public void UpdateRateLimits_FuzzedBodies_RefusalsAreCleanAndChangeNothing()
    {
        var setting = Gen.Frequency((8, Gen.Elements(SettingNames)), (1, FuzzJson.StringContent));
        var value = Gen.Frequency((6, FuzzJson.Number), (2, FuzzJson.Scalar), (1, FuzzJson.Value()), (1, FuzzJson.Deep));
        var config = FuzzJson.ObjectOf(setting, value);
        var shaped = Gen.Frequency(
            (8, config.Select(c => FuzzJson.Object([("config", c)]))),
            (1, Gen.Zip(config, config).Select(t => FuzzJson.Object([("config", t.Item1), ("config", t.Item2)]))),
            (1, Gen.Zip(config, FuzzJson.Value("config")).Select(t => FuzzJson.Object([("config", t.Item1), ("other", t.Item2)]))),
            (1, FuzzJson.Value().Select(v => FuzzJson.Object([("config", v)]))));
        var tried = FuzzRun.Check("admin update-rate-limits body", FuzzJson.Body(shaped, "config"), Slice, body =>
        {
            var before = Settings();
            using var request = AdminRequest(HttpMethod.Post, "/api/admin/update-rate-limits", body);
            var (status, _) = FuzzAnswer.Send(Client, request, FuzzAnswer.Show(body), admin: true);
            if (status != HttpStatusCode.OK && Settings() != before)
            {
                throw new FuzzFailure($"refused update {FuzzAnswer.Show(body)} changed the settings: {before} -> {Settings()}");
            }
        });
        tried.ShouldBe(FuzzRun.Iterations(Slice));
    }

    [Fact]
    public void CreateKey_FuzzedBodies_RefusalsAreCleanAndAddNoKey()
    {
        var text = Gen.Frequency((6, FuzzJson.String), (2, FuzzJson.Scalar), (1, FuzzJson.Value()));
        var shaped = FuzzJson.ObjectOf(Gen.Frequency((8, Gen.Elements("user", "name")), (1, Gen.Elements("User", "id", "secret", ""))), text);
        FuzzRun.Check("admin keys body", FuzzJson.Body(shaped, "user", "name"), Slice, body =>
        {
            var before = KeyCount();
            using var request = AdminRequest(HttpMethod.Post, "/api/admin/keys", body);
            var (status, _) = FuzzAnswer.Send(Client, request, FuzzAnswer.Show(body), admin: true);
            if (status != HttpStatusCode.Created && KeyCount() != before)
            {
                throw new FuzzFailure($"refused key {FuzzAnswer.Show(body)} changed the keys: {before} -> {KeyCount()}");
            }
        });
    }

    [Fact]
    public void Budgets_FuzzedUsersAndBodies_RefusalsAreCleanAndChangeNothing()
    {
        var user = Gen.Frequency(
            (4, Gen.Elements("alice", "bob", "carol", "a b", "ünïcødé", "%20", "%00", "%FF", "%C0%AF", "%ED%A0%80", "a%2Fb", "..", "%2e%2e", "x;y", "\u0001")),
            (1, Gen.Elements(201, 5000).Select(n => new string('u', n))));
        var credits = Gen.Frequency((6, FuzzJson.Number), (2, FuzzJson.Scalar));
        var shaped = FuzzJson.ObjectOf(Gen.Frequency((8, Gen.Elements("credits", "period")), (1, Gen.Elements("Credits", "user", ""))),
            Gen.Frequency((4, credits), (4, Gen.Elements("\"day\"", "\"month\"", "\"Day\"", "\"daily\"", "\"week\"", "\"\"", "\"\\ud800\"", "\"\\u0000day\"")), (1, FuzzJson.Value())));
        var input = Gen.Zip(Gen.Zip(user, FuzzJson.Body(shaped, "credits", "period")), Gen.Elements("PUT", "PUT", "PUT", "GET", "DELETE"), (a, b) => (a.Item1, a.Item2, b));
        FuzzRun.Check("admin budgets path and body", input, Slice, t =>
        {
            var (who, body, method) = t;
            var before = Budgets();
            using var request = AdminRequest(new HttpMethod(method), "/api/admin/budgets/" + who, method == "PUT" ? body : null);
            var shown = $"{method} /api/admin/budgets/{FuzzAnswer.Show(who)} {FuzzAnswer.Show(body)}";
            var (status, _) = FuzzAnswer.Send(Client, request, shown, admin: true);
            if (status != HttpStatusCode.OK && Budgets() != before)
            {
                throw new FuzzFailure($"refused {shown} changed the budgets: {before} -> {Budgets()}");
            }
        });
    }

    [Fact]
    public void Usage_FuzzedQueryStrings_AnswerOrRefuseNamingTheParameter()
    {
        var name = Gen.Frequency((8, Gen.Elements("from", "to", "user", "groupBy", "format")), (1, Gen.Elements("From", "group", "", "%00", "x", "from[]")));
        var value = Gen.Frequency(
            (6, Gen.Elements("2026-01-01", "2026-12-04T10:00:00Z", "2026-13-45", "0000-01-01", "9999-12-31T23:59:59Z", "yesterday", "-1", "1e9", "",
                "user", "model", "day", "endpoint", "user,model", "user,user", "model,,day", "hour", "csv", "json", "xml", "alice",
                "%FF", "%00", "%C0%AF", "%ED%A0%80", "%", "%%", "a%2Cb", "+", "%2B")),
            (1, Gen.Elements(201, 3000).Select(n => new string('x', n))));
        var query = Gen.Zip(name, value).ListOf().Select(ps => string.Join("&", ps.Take(6).Select(p => $"{p.Item1}={p.Item2}")));
        FuzzRun.Check("admin usage query", Gen.Zip(query, Gen.Elements("/api/admin/usage", "/api/admin/usage.csv")), Slice, t =>
        {
            var (q, path) = t;
            using var request = AdminRequest(HttpMethod.Get, path + "?" + q, null);
            FuzzAnswer.Send(Client, request, path + "?" + q, admin: true);
        });
    }

    [Fact]
    public void RevokeKey_FuzzedIds_AnswerNotFoundCleanly()
    {
        var id = Gen.Frequency((4, Gen.Elements("1", "0", "-1", "abc", "%FF", "%00", "%ED%A0%80", "99999999999999999999", "a%2Fb", "x y")), (1, Gen.Elements(65, 2000).Select(n => new string('k', n))));
        FuzzRun.Check("admin revoke key id", id, Slice / 5, i =>
        {
            using var request = AdminRequest(HttpMethod.Delete, "/api/admin/keys/" + i, null);
            FuzzAnswer.Send(Client, request, "DELETE /api/admin/keys/" + i, admin: true);
        });
    }

    private string Get(string path)
    {
        using var request = AdminRequest(HttpMethod.Get, path, null);
        using var response = Task.Run(() => Client.SendAsync(request)).GetAwaiter().GetResult();
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return Task.Run(() => response.Content.ReadAsStringAsync()).GetAwaiter().GetResult();
    }

    /// <summary>The settings in force and those persisted, as one comparable string.</summary>
    private string Settings()
    {
        using var status = JsonDocument.Parse(Get("/api/admin/rate-limit-status"));
        var root = status.RootElement;
        return new StringBuilder()
            .Append(root.GetProperty("configuration").GetRawText())
            .Append(root.GetProperty("settings").GetRawText())
            .Append(root.GetProperty("gateway").GetProperty("persistedSettings").GetRawText())
            .ToString();
    }

    private int KeyCount()
    {
        using var keys = JsonDocument.Parse(Get("/api/admin/keys"));
        return keys.RootElement.GetProperty("keys").GetArrayLength();
    }

    private string Budgets()
    {
        using var budgets = JsonDocument.Parse(Get("/api/admin/budgets"));
        return budgets.RootElement.GetProperty("budgets").GetRawText();
    }
}
