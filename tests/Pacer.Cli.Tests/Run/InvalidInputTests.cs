using Pacer.Cli.Tests.Support;

namespace Pacer.Cli.Tests.Run;

/// <summary>Bad input lines are found before anything is sent: listed with their numbers, exit 2, or skipped with <c>--skip-invalid</c>.</summary>
public sealed class InvalidInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-cli-invalid-").FullName;

    private string Out => Path.Combine(_folder, "results.jsonl");

    public static TheoryData<string, string> BadLines => new()
    {
        { "not json at all", "not JSON" },
        { "{\"custom_id\": \"x\", ", "not JSON" },
        { "[1, 2, 3]", "not a JSON object" },
        { "{\"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": []}}", "no custom_id" },
        { "{\"custom_id\": 7, \"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": []}}", "no custom_id" },
        { "{\"custom_id\": \"\", \"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": []}}", "no custom_id" },
        { "{\"custom_id\": \"has space\", \"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": []}}", "custom_id 'has space' must be 1-64 characters of a-z, A-Z, 0-9, _ and -" },
        { "{\"custom_id\": \"" + new string('a', 65) + "\", \"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": []}}", "custom_id '" + new string('a', 65) + "' must be 1-64 characters" },
        { "{\"custom_id\": \"req-0\", \"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": []}}", "duplicate custom_id 'req-0' (first on line 1)" },
        { "{\"custom_id\": \"x\"}", "no params object" },
        { "{\"custom_id\": \"x\", \"params\": \"hello\"}", "no params object" },
        { "{\"custom_id\": \"x\", \"params\": {\"max_tokens\": 1, \"messages\": []}}", "params without model" },
        { "{\"custom_id\": \"x\", \"params\": {\"model\": \"m\", \"messages\": []}}", "params without max_tokens" },
        { "{\"custom_id\": \"x\", \"params\": {\"model\": \"m\", \"max_tokens\": 0, \"messages\": []}}", "params without max_tokens" },
        { "{\"custom_id\": \"x\", \"params\": {\"model\": \"m\", \"max_tokens\": 1}}", "params without messages" },
        { "{\"custom_id\": \"x\", \"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": {}}}", "params without messages" },
        { "{\"custom_id\": \"x\", \"params\": {\"model\": \"m\", \"max_tokens\": 1, \"messages\": [], \"stream\": true}}", "params.stream is true" },
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [MemberData(nameof(BadLines))]
    public async Task Run_OneBadLine_RefusesToStartAndNamesTheLineAndItsProblem(string line, string problem)
    {
        var input = Path.Combine(_folder, "requests.jsonl");
        File.WriteAllLines(input, [BatchFiles.Request("req-0"), BatchFiles.Request("req-1"), line, BatchFiles.Request("req-2")]);

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        run.ExitCode.ShouldBe(2, run.StandardError);
        run.StandardError.ShouldContain("1 invalid line(s)");
        run.StandardError.ShouldContain("nothing was sent");
        run.StandardError.ShouldContain("line 3: " + problem);
        run.StandardError.ShouldNotContain("BUILT-IN SIMULATOR", customMessage: "nothing is started before the input is checked");
        (File.Exists(Out) ? File.ReadAllText(Out) : string.Empty).ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_MoreThanTwentyBadLines_ListsTheFirstTwentyAndCountsTheRest()
    {
        var input = Path.Combine(_folder, "requests.jsonl");
        File.WriteAllLines(input, Enumerable.Range(0, 25).Select(i => "bad " + i).Prepend(BatchFiles.Request("req-0")));

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        run.ExitCode.ShouldBe(2);
        run.StandardError.ShouldContain("25 invalid line(s)");
        run.StandardError.ShouldContain("line 2: not JSON");
        run.StandardError.ShouldContain("line 21: not JSON");
        run.StandardError.ShouldNotContain("line 22:");
        run.StandardError.ShouldContain("... and 5 more");
    }

    [Fact]
    public async Task Run_SkipInvalid_SendsTheValidLinesAndReportsTheSkippedOnes()
    {
        var input = Path.Combine(_folder, "requests.jsonl");
        File.WriteAllLines(input, [BatchFiles.Request("req-0"), "oops", BatchFiles.Request("req-1"), BatchFiles.Request("req-0"), string.Empty, BatchFiles.Request("req-2")]);

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out, "--skip-invalid"], CliProcess.FastSimulator);

        run.ExitCode.ShouldBe(0, run.StandardError);
        run.StandardError.ShouldContain("2 invalid line(s)");
        run.StandardError.ShouldContain("are skipped (--skip-invalid)");
        run.StandardError.ShouldContain("line 2: not JSON");
        run.StandardError.ShouldContain("line 4: duplicate custom_id 'req-0' (first on line 1)");
        run.StandardOutput.ShouldContain("skipped: invalid lines");
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 3);
    }
}
