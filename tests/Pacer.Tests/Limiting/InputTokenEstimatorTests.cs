using System.Buffers.Binary;
using System.Text;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class InputTokenEstimatorTests
{
    private const string Model = "claude-sonnet-4-5";

    private static byte[] Body(string messagesAndMore) =>
        Encoding.UTF8.GetBytes("{\"model\":\"" + Model + "\",\"max_tokens\":1024,\"metadata\":{\"user_id\":\"someone\"}," + messagesAndMore + "}");

    private static string UserText(string text) => "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]";

    [Fact]
    public void Estimate_Text_CountsBytesOverTheRatioPlusFraming()
    {
        var estimator = new InputTokenEstimator();

        // 356 text bytes + "user" = 360 bytes / 3.6 = 100 tokens, + 3 per request + 4 per message.
        var estimate = estimator.Estimate(Model, Body(UserText(new string('a', 356))));

        estimate.ShouldBe(new InputEstimate(107, InputTokenEstimator.DefaultCharsPerToken));
    }

    [Fact]
    public void Estimate_SystemAndTools_CountTheirTextAndTheToolPrompt()
    {
        var estimator = new InputTokenEstimator(charsPerToken: 2);
        var body = Body("\"system\":\"" + new string('s', 20) + "\"," + UserText("hi") + ",\"tools\":[{\"name\":\"get\",\"description\":\"dd\",\"input_schema\":{\"type\":\"object\"}}]");

        // Text: system 20 + "user" 4 + "hi" 2 + tool: "name" 4 + "get" 3 + "description" 11 + "dd" 2 + "input_schema" 12 = 58 bytes / 2 = 29.
        estimator.Estimate(Model, body).Tokens.ShouldBe(29 + 3 + 4 + 350);
    }

    [Fact]
    public void Estimate_EscapedText_CountsTheUnescapedBytes()
    {
        var estimator = new InputTokenEstimator(charsPerToken: 2);

        // "a\nb\u00e9" unescapes to a, newline, b and é (2 bytes): 5 bytes, + "user" 4 = 9 / 2 = 4.5, rounded up.
        estimator.Estimate(Model, Body(UserText("a\\nb\\u00e9"))).Tokens.ShouldBe(5 + 3 + 4);
    }

    [Fact]
    public void Estimate_PngImage_CountsItsPixels()
    {
        var estimator = new InputTokenEstimator();
        var body = Body(ImageMessage("image/png", Png(1000, 500)));

        // 1000 x 500 / 750 = 667 tokens; text is "user" only: 4 / 3.6, rounded up with the rest.
        estimator.Estimate(Model, body).Tokens.ShouldBe((int)Math.Ceiling(667 + (4 / 3.6) + 3 + 4));
    }

    [Fact]
    public void Estimate_LargeImage_IsScaledDownAsTheApiDoes()
    {
        ImageSize.TokensFor(4000, 3000).ShouldBe(1600);
        ImageSize.TokensFor(200, 200).ShouldBe(54);
    }

    [Fact]
    public void Estimate_UnreadableImage_CountsTheMaximum()
    {
        var estimator = new InputTokenEstimator();

        var tokens = estimator.Estimate(Model, Body(ImageMessage("image/jpeg", [1, 2, 3, 4, 5, 6]))).Tokens;

        tokens.ShouldBe((int)Math.Ceiling(1600 + (4 / 3.6) + 3 + 4));
    }

    [Fact]
    public void Estimate_PdfDocument_CountsPages()
    {
        var estimator = new InputTokenEstimator();
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Pages /Count 3 >>\n2 0 obj << /Type /Page >>\n3 0 obj <</Type/Page>>\n4 0 obj << /Type\n/Page /Parent 1 0 R >>\n%%EOF");
        var body = Body("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"" + Convert.ToBase64String(pdf) + "\"}}]}]");

        estimator.Estimate(Model, body).Tokens.ShouldBe((int)Math.Ceiling((3 * 3000) + (4 / 3.6) + 3 + 4));
    }

    [Fact]
    public void Estimate_PdfPagesAcrossChunkBoundaries_AreAllCounted()
    {
        var text = new StringBuilder("%PDF-1.7\n");
        for (var i = 0; i < 200; i++)
        {
            text.Append(new string('x', 37 + (i % 11))).Append("<< /Type /Page >>");
        }

        var base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.ASCII.GetBytes(text.ToString())));

        PdfPages.Count(base64, escaped: false).ShouldBe(200);
    }

    [Fact]
    public void Estimate_NotJson_CountsEveryByteAsText()
    {
        new InputTokenEstimator(charsPerToken: 4).Estimate(Model, "not json at all!"u8).Tokens.ShouldBe(4 + 3);
    }

    [Fact]
    public void Estimate_SameInput_IsDeterministic()
    {
        var body = Body(UserText("The quick brown fox jumps over the lazy dog."));

        new InputTokenEstimator().Estimate(Model, body).ShouldBe(new InputTokenEstimator().Estimate(Model, body));
    }

    [Fact]
    public void Calibrate_EstimateTwiceTooHigh_MovesTheRatioAFifthOfTheWay()
    {
        var estimator = new InputTokenEstimator();

        estimator.Calibrate(Model, estimate: new InputEstimate(200, 0), actualInputTokens: 100);

        // Target 3.6 x 2 = 7.2; one step of 0.2: 3.6 + 0.72.
        estimator.CharsPerToken(Model).ShouldBe(4.32, tolerance: 1e-9);
        estimator.CharsPerToken("claude-opus-4-5").ShouldBe(InputTokenEstimator.DefaultCharsPerToken);
    }

    [Fact]
    public void Calibrate_ManyObservations_ConvergesAndStaysClamped()
    {
        var estimator = new InputTokenEstimator();
        var body = Body(UserText(new string('a', 3596)));
        for (var i = 0; i < 60; i++)
        {
            // The server says the text is 3 characters per token.
            var estimate = estimator.Estimate(Model, body);
            estimator.Calibrate(Model, estimate, actualInputTokens: (3600 / 3) + 7);
        }

        estimator.CharsPerToken(Model).ShouldBe(3.0, tolerance: 0.01);
        for (var i = 0; i < 60; i++)
        {
            estimator.Calibrate(Model, estimate: new InputEstimate(1000, 0), actualInputTokens: 1);
        }

        estimator.CharsPerToken(Model).ShouldBe(InputTokenEstimator.MaxCharsPerToken);
    }

    [Fact]
    public void Calibrate_AnswersToEstimatesMadeBeforeEarlierCalibrations_CorrectTheRatioTheyWereMadeWith()
    {
        var estimator = new InputTokenEstimator();
        var body = Body(UserText(new string('a', 3596)));

        // 50 requests queue up, all estimated at 3.6 characters per token (1,007 tokens); the server counts 4.5 (807).
        var estimates = Enumerable.Range(0, 50).Select(_ => estimator.Estimate(Model, body)).ToList();
        estimates.ShouldAllBe(e => e == new InputEstimate(1007, 3.6));
        foreach (var estimate in estimates)
        {
            estimator.Calibrate(Model, estimate, actualInputTokens: 807);
        }

        // Each answer says 3.6 was 1,007 / 807 times too low: the ratio converges to 4.49 and does not run on to the
        // clamp, as it would if every answer corrected the already corrected ratio again.
        estimator.CharsPerToken(Model).ShouldBe(3.6 * 1007 / 807, tolerance: 0.01);
        estimator.Estimate(Model, body).Tokens.ShouldBeInRange(806, 809);
    }

    [Fact]
    public void Calibrate_EstimatesInterleavedWithCalibrations_EachCorrectsTheRatioItWasMadeWith()
    {
        var estimator = new InputTokenEstimator();
        var body = Body(UserText(new string('a', 3596)));
        var early = estimator.Estimate(Model, body);
        estimator.Calibrate(Model, estimator.Estimate(Model, body), actualInputTokens: 807);
        var late = estimator.Estimate(Model, body);

        // The early estimate was made at 3.6 and its answer arrives after the ratio moved: it still targets 3.6 x 1007 / 807.
        late.CharsPerToken.ShouldBe(3.6 + (0.2 * ((3.6 * 1007 / 807) - 3.6)), tolerance: 1e-9);
        estimator.Calibrate(Model, early, actualInputTokens: 807);
        var target = 3.6 * 1007 / 807;
        estimator.CharsPerToken(Model).ShouldBe(late.CharsPerToken + (0.2 * (target - late.CharsPerToken)), tolerance: 1e-9);
    }

    [Fact]
    public void Calibrate_EstimateNamingNoRatio_CorrectsTheCurrentRatio()
    {
        var estimator = new InputTokenEstimator();
        estimator.Calibrate(Model, estimate: new InputEstimate(200, 0), actualInputTokens: 100);
        estimator.Calibrate(Model, estimate: new InputEstimate(200, 0), actualInputTokens: 100);

        // 3.6 -> 4.32 -> 4.32 + 0.2 x (8.64 - 4.32).
        estimator.CharsPerToken(Model).ShouldBe(5.184, tolerance: 1e-9);
    }

    [Fact]
    public void Calibrate_EmptyValues_AreIgnored()
    {
        var estimator = new InputTokenEstimator();

        estimator.Calibrate(Model, new InputEstimate(0, 3.6), 100);
        estimator.Calibrate(Model, new InputEstimate(100, 3.6), 0);

        estimator.CharsPerToken(Model).ShouldBe(InputTokenEstimator.DefaultCharsPerToken);
    }

    private static string ImageMessage(string mediaType, byte[] image) =>
        "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"" + mediaType
        + "\",\"data\":\"" + Convert.ToBase64String(image) + "\"}}]}]";

    private static byte[] Png(int width, int height)
    {
        var png = new byte[64];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(png, 0);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        return png;
    }
}
