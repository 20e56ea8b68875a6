using Pacer.Cli.Tests.Support;

namespace Pacer.Cli.Tests;

/// <summary>The command line itself: unknown commands and flags, help, version, bad settings.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-cli-").FullName;

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
    [InlineData("frobnicate")]
    [InlineData("--frobnicate")]
    [InlineData("run", "in.jsonl", "--out", "o.jsonl", "--frobnicate")]
    [InlineData("run", "in.jsonl")]
    [InlineData("run", "in.jsonl", "--out", "o.jsonl", "--priority", "urgent")]
    [InlineData("run", "in.jsonl", "--out", "o.jsonl", "--base-url", "not a url")]
    [InlineData("status", "--csv")]
    public async Task Main_UnknownCommandOrFlagOrBadValue_PrintsUsageAndExitsTwo(params string[] arguments)
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, arguments);

        pacer.ExitCode.ShouldBe(2);
        pacer.StandardError.ShouldStartWith("pacer: ");
        pacer.StandardError.ShouldContain("Usage:");
        pacer.StandardOutput.ShouldBeEmpty();
    }

    [Fact]
    public async Task Main_NoArguments_PrintsUsageAndExitsTwo()
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, []);

        pacer.ExitCode.ShouldBe(2);
        pacer.StandardError.ShouldContain("Usage:");
        pacer.StandardError.ShouldContain("run <INPUT>");
    }

    [Fact]
    public async Task Main_Version_PrintsTheVersion()
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, ["--version"]);

        pacer.ExitCode.ShouldBe(0);
        pacer.StandardOutput.Trim().ShouldMatch(@"^\d+\.\d+\.\d+");
    }

    [Fact]
    public async Task Main_Help_ListsEveryCommand()
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, ["--help"]);

        pacer.ExitCode.ShouldBe(0);
        foreach (var command in new[] { "run", "status", "usage", "keys", "budgets" })
        {
            pacer.StandardOutput.ShouldContain("  " + command);
        }
    }

    [Fact]
    public async Task Run_InvalidSettingsInDotEnv_NamesEveryFieldAndExitsTwo()
    {
        File.WriteAllText(Path.Combine(_folder, ".env"), "ANTHROPIC_RATE_LIMIT_PER_MINUTE=5000\nPACER_BATCH_MIN_SHARE=70\n");
        var input = BatchFiles.WriteRequests(_folder, 1);

        using var pacer = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", "o.jsonl"]);

        pacer.ExitCode.ShouldBe(2);
        pacer.StandardError.ShouldContain("ANTHROPIC_RATE_LIMIT_PER_MINUTE: '5000' is out of range; allowed 1-1000");
        pacer.StandardError.ShouldContain("PACER_BATCH_MIN_SHARE: '70' is out of range; allowed 0-50");
    }

    [Fact]
    public async Task Run_MissingInputFile_ExitsTwo()
    {
        using var pacer = await CliProcess.RunPacerAsync(_folder, ["run", "missing.jsonl", "--out", "o.jsonl"]);

        pacer.ExitCode.ShouldBe(2);
        pacer.StandardError.ShouldContain("missing.jsonl does not exist");
    }
}
