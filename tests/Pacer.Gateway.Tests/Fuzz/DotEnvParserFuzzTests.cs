using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Configuration;
using Pacer.Configuration;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>
/// The <c>.env</c> parser and the settings read from it, under fuzzed lines: a file is read or refused with a
/// <see cref="FormatException"/> naming the file and line, and a value is used or refused naming its variable; nothing else.
/// </summary>
public sealed class DotEnvParserFuzzTests
{
    private const int Slice = 5_000;
    private const string Source = "fuzz.env";

    private static readonly string[] Names = [.. PacerSettings.All.Select(s => s.EnvironmentVariable), "PACER_ADMIN_API_KEY", "A", "a b", "", " ", "#X", "export"];

    private static readonly Gen<string> Piece = Gen.Frequency(
        (6, Gen.Elements("=", "\"", "'", "#", " # note", "export ", "\\n", " ", "\t", "50", "-1", "1e309", "NaN", "true", "off", "batch", "\u0000", "\u00e9", "\ud800", "\r", "==")),
        (3, Gen.Elements(Names)),
        (2, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())),
        (1, Gen.Elements(1000, 100_000).Select(n => new string('v', n))));

    private static readonly Gen<string> Line = Gen.Frequency(
        (3, Piece.ListOf().Select(ps => string.Concat(ps.Take(8)))),
        (3, Gen.Zip(Gen.Elements(Names), Piece.ListOf()).Select(t => $"{t.Item1}={string.Concat(t.Item2.Take(5))}")),
        (1, Gen.Zip(Gen.Elements(Names), Piece.ListOf()).Select(t => $"export {t.Item1} = \"{string.Concat(t.Item2.Take(5))}\" # why")));

    [Fact]
    public void Parse_FuzzedLines_ReadOrRefusedNamingFileAndLine()
    {
        FuzzRun.Check(".env parser", Line.ListOf().Select(ls => ls.Take(10).ToArray()), Slice, lines =>
        {
            try
            {
                DotEnvParser.Parse(lines, Source);
            }
            catch (FormatException refused)
            {
                var line = int.Parse(refused.Message.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (!refused.Message.StartsWith(Source + ":", StringComparison.Ordinal) || line < 1 || line > lines.Length)
                {
                    throw new FuzzFailure($"refusal names no line of the file for {Show(lines)}: {refused.Message}");
                }
            }
        });
    }

    [Fact]
    public void Parse_KeyAndPlainValue_ReadBack()
    {
        var key = Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc0123456789".ToCharArray()).NonEmptyListOf().Select(cs => new string([.. cs.Take(40)]))
            .Where(k => !char.IsDigit(k[0]) && k != "export");
        var value = Gen.Choose(0x21, 0x7E).Select(c => (char)c).Where(c => c is not ('"' or '\'' or '#')).ListOf().Select(cs => new string([.. cs.Take(60)]));
        FuzzRun.Check(".env parser round trip", Gen.Zip(key, value), Slice / 4, t =>
        {
            var (k, v) = t;
            var read = DotEnvParser.Parse([$"{k}={v}", $"# {k}=other"], Source);
            if (read[k] != v)
            {
                throw new FuzzFailure($"{k}={v} read back as {read[k]}");
            }
        });
    }

    [Fact]
    public void Bind_FuzzedSettingValues_AppliedOrRefusedNamingTheVariable()
    {
        var assignment = Gen.Zip(Gen.Elements([.. PacerSettings.All]), Piece.ListOf().Select(ps => string.Concat(ps.Take(4))));
        FuzzRun.Check(".env settings", assignment.ListOf().Select(a => a.Take(6).ToArray()), Slice / 4, assignments =>
        {
            var lines = assignments.Select(a => $"{a.Item1.EnvironmentVariable}={a.Item2}").ToArray();
            Dictionary<string, string?> data;
            try
            {
                data = DotEnvParser.Parse(lines, Source);
            }
            catch (FormatException)
            {
                return;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
            PacerConfiguration.Bind(configuration, out var errors);
            foreach (var error in errors)
            {
                if (!data.ContainsKey(error.Field) || !error.ToString().StartsWith(error.Field + ":", StringComparison.Ordinal) || error.Reason.Length == 0)
                {
                    throw new FuzzFailure($"refusal does not name the variable for {Show(lines)}: {error}");
                }
            }
        });
    }

    private static string Show(string[] lines) => FuzzAnswer.Show(string.Join("\n", lines));
}
