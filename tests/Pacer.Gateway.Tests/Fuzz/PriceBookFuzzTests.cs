using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Pacer.Usage;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>
/// The price book loader under fuzzed files: a file is read, or refused with a <see cref="PriceBookException"/> naming
/// the file and what is wrong in it; never another exception, and a book that loads prices every model it lists.
/// </summary>
public sealed class PriceBookFuzzTests
{
    private const int Slice = 5_000;
    private const string Source = "fuzz-prices.json";

    private static readonly string[] PriceFields = ["input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead"];

    private static readonly Gen<string> Price = Gen.Frequency((6, FuzzJson.Number), (1, FuzzJson.Scalar), (1, FuzzJson.Value()));

    private static readonly Gen<string> Models = Gen.Frequency(
        (4, Gen.Elements("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "Claude-Opus-4@20250514", "x-latest", " ", "", "\\ud800", "claude-haiku-4-5").ListOf()
            .Select(ms => "[" + string.Join(",", ms.Take(4).Select(m => $"\"{m}\"")) + "]")),
        (1, FuzzJson.Value()));

    private static readonly Gen<string> Family = Gen.Frequency(
        (6, Gen.Zip(Gen.Zip(Gen.Elements("\"sonnet\"", "\"opus\"", "\"fuzz\"", "\"\"", "\" \"", "\"\\ud800\"", "1", "null"), Models), Price.ListOf()).Select(t =>
        {
            var ((name, models), prices) = t;
            var members = new List<(string, string)> { ("family", name), ("models", models) };
            members.AddRange(PriceFields.Select((f, i) => (f, i < prices.Count ? prices[i] : "1")));
            return FuzzJson.Object(members);
        })),
        (1, FuzzJson.Value("family", "models", "input", "output")));

    private static readonly Gen<string> Book = Gen.Frequency(
        (6, Gen.Zip(Family.ListOf(), Gen.Elements("", "\"batchDiscount\":0.5,", "\"batchDiscount\":2,", "\"batchDiscount\":\"x\",", "\"currency\":\"USD\",", "\"extra\":1,")).Select(t =>
            $"{{{t.Item2}\"families\":[{string.Join(",", t.Item1.Take(4))}]}}")),
        (2, FuzzJson.Value("families", "batchDiscount", "currency")),
        (1, FuzzJson.Deep));

    [Fact]
    public void Parse_FuzzedFiles_ReadOrRefusedNamingTheFile()
    {
        // Text from damaged bytes, and now and then raw unpaired surrogates, which no file read could hold but a caller's string can.
        var text = Gen.Frequency(
            (8, FuzzJson.Damaged(Book).Select(Encoding.UTF8.GetString)),
            (1, Book.Select(b => b.Replace("sonnet", "son\ud800net", StringComparison.Ordinal).Replace("fuzz", "fu\udc00zz", StringComparison.Ordinal))),
            (1, Book.Select(b => b.Replace("sonnet", "son\ud800net", StringComparison.Ordinal).Replace("\\ud800", "\ud800", StringComparison.Ordinal))));
        var input = Gen.Zip(text, Gen.Elements(true, false));
        FuzzRun.Check("price book", input, Slice, t =>
        {
            var (json, overShipped) = t;
            try
            {
                var book = PriceBook.Parse(json, Source, overShipped ? PriceBook.Default : null);
                foreach (var model in book.Models)
                {
                    if (!book.TryGetPrice(model, out _))
                    {
                        throw new FuzzFailure($"model {model} is listed but has no price, for {FuzzAnswer.Show(json)}");
                    }
                }
            }
            catch (PriceBookException refused)
            {
                if (!refused.Message.StartsWith($"Price book '{Source}': ", StringComparison.Ordinal) || refused.Message.Length < Source.Length + 30)
                {
                    throw new FuzzFailure($"refusal does not name the file and the fault for {FuzzAnswer.Show(json)}: {refused.Message}");
                }
            }
        });
    }
}
