using System.Text.RegularExpressions;
using Pacer.Cli.Tests.Support;

namespace Pacer.Cli.Tests.Admin;

/// <summary><c>pacer status</c>, <c>usage</c>, <c>keys</c>, <c>budgets</c> and <c>run --base-url</c> against a real gateway process.</summary>
public sealed partial class AdminCommandTests : IAsyncLifetime
{
    private const string AdminKey = "cli-test-admin-key-0123456789";

    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-cli-admin-").FullName;
    private CliProcess? _gateway;
    private string _address = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _gateway = CliProcess.StartGateway(_folder, [.. CliProcess.FastSimulator, ("PACER_GATEWAY_URLS", "http://127.0.0.1:0"), ("PACER_ADMIN_API_KEY", AdminKey)]);
        await CliProcess.Until(() => Listening().IsMatch(_gateway.StandardOutput), "the gateway to listen");
        _address = Listening().Match(_gateway.StandardOutput).Groups[1].Value;
    }

    public ValueTask DisposeAsync()
    {
        _gateway?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Status_AgainstAGateway_ShowsTheSeedsFieldsAndTheQueuePerPriorityAsTables()
    {
        using var pacer = await Pacer("status");

        pacer.ExitCode.ShouldBe(0, pacer.StandardError);
        pacer.StandardOutput.ShouldContain("Configuration");
        pacer.StandardOutput.ShouldContain("maxRequestsPerMinute");
        pacer.StandardOutput.ShouldContain("requestsInLastMinute");
        pacer.StandardOutput.ShouldContain("byPriority.interactive");
        pacer.StandardOutput.ShouldContain("byPriority.batch");
        pacer.StandardOutput.ShouldContain("┌");
    }

    [Fact]
    public async Task RunThroughTheGateway_ThenUsage_ShowsTheRequestsInTheLedger()
    {
        var input = BatchFiles.WriteRequests(_folder, 5);
        var output = Path.Combine(_folder, "results.jsonl");

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", output, "--base-url", _address], [.. CliProcess.FastSimulator, ("ANTHROPIC_API_KEY", "sk-ant-cli-test")]);

        run.ExitCode.ShouldBe(0, run.StandardError);
        run.StandardError.ShouldNotContain("BUILT-IN SIMULATOR", customMessage: "the gateway is the upstream; its own simulator is its business");
        BatchFiles.ShouldHoldEveryRequestOnce(output, 5);

        await CliProcess.Until(() => UsageRequests().Result >= 5, "the ledger to record the run");
        using var table = await Pacer("usage", "--group-by", "model");
        table.ExitCode.ShouldBe(0, table.StandardError);
        table.StandardOutput.ShouldContain("claude-sonnet-4-5");

        using var csv = await Pacer("usage", "--csv", "--group-by", "model");
        csv.ExitCode.ShouldBe(0, csv.StandardError);
        csv.StandardOutput.Split('\n')[0].ShouldContain("model");
        csv.StandardOutput.ShouldNotContain("┌");
    }

    [Fact]
    public async Task KeysAndBudgets_AgainstAGateway_AreTables()
    {
        using var keys = await Pacer("keys");
        using var budgets = await Pacer("budgets");

        keys.ExitCode.ShouldBe(0, keys.StandardError);
        keys.StandardOutput.ShouldContain("Managed keys");
        budgets.ExitCode.ShouldBe(0, budgets.StandardError);
        budgets.StandardOutput.ShouldContain("Budgets");
    }

    [Fact]
    public async Task Status_WrongAdminKey_SaysWhatTheGatewayAnsweredAndExitsOne()
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, ["status", "--gateway", _address], ("PACER_ADMIN_API_KEY", "not-the-admin-key-at-all"));

        pacer.ExitCode.ShouldBe(1);
        pacer.StandardError.ShouldContain("The gateway answered 401");
    }

    [Fact]
    public async Task Status_NoAdminKey_ExitsTwo()
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, ["status", "--gateway", _address]);

        pacer.ExitCode.ShouldBe(2);
        pacer.StandardError.ShouldContain("PACER_ADMIN_API_KEY is not set");
    }

    [Fact]
    public async Task Status_NoGatewayThere_SaysSoAndExitsOne()
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, ["status", "--gateway", "http://127.0.0.1:9"], ("PACER_ADMIN_API_KEY", AdminKey));

        pacer.ExitCode.ShouldBe(1);
        pacer.StandardError.ShouldContain("Cannot reach the gateway");
    }

    private Task<CliProcess> Pacer(params string[] arguments) =>
        CliProcess.RunPacerAsync(_folder, [.. arguments, "--gateway", _address], ("PACER_ADMIN_API_KEY", AdminKey));

    private async Task<long> UsageRequests()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_address) };
        http.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
        using var usage = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/admin/usage"));
        return usage.RootElement.GetProperty("total").GetProperty("requests").GetInt64();
    }

    [GeneratedRegex(@"Pacer gateway listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
