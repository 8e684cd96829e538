package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.GeoPosition;
import io.meterbase.core.model.Role;
import io.meterbase.simulator.Simulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web pages in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver
 * (explicit paths; nothing downloads a browser), over HTTPS with the self-signed certificate, against a server fed
 * by the home simulator. Screenshots are kept in {@code target/screenshots}. Skipped only where Chromium is not
 * installed (CI installs it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target/screenshots");
    private static final String CUSTOMER_PASSWORD = "ana's long password";
    private static final String OPERATOR_PASSWORD = "operator's long password";

    private static Path dir;
    private static Meterbase server;
    private static Simulator simulator;
    private static WebDriver browser;
    private static String base;
    private static ApiClient api;
    private static String operatorKey;
    private static long firstCustomer;
    private static long solarCustomer;
    private static String firstKey;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed");
        dir = Files.createTempDirectory("meterbase-browser");
        server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("http.tls.port", "0").with("http.tls.self-signed", "true"),
                Clock.systemUTC());
        operatorKey = server.newOperatorSecret().orElseThrow();
        api = new ApiClient(server.httpPort());
        List<String> keys = new ArrayList<>();
        ZoneId zone = ZoneId.of("Europe/Madrid");
        for (int i = 1; i <= 5; i++) {
            Customer c = server.registry()
                    .createCustomer(
                            "Home " + i, "Home", i + " Test Street", new GeoPosition(40.4, -3.7), "north", zone);
            keys.add(server.registry()
                    .createKey(c.id(), Role.CUSTOMER, "gateway")
                    .secret());
            if (i == 1) {
                firstCustomer = c.id();
            }
            if (i == 2) {
                solarCustomer = c.id();
            }
        }
        DemoControl.setUp(server, zone); // the demo's time-of-use tariff, feeders and program
        // the second home has solar panels and a grid meter (the others' totals are their appliances)
        simulator = new Simulator(URI_OF(server.httpPort()), keys, zone, i -> i == 2);
        long now = System.currentTimeMillis();
        simulator.backfill(now - 3 * 3_600_000L, 72, Duration.ofHours(1));
        simulator.backfill(now - 2_000L, 3, Duration.ofMinutes(1));
        simulator.start(Duration.ofSeconds(2));
        // the first home also has a district-heat meter: 12 kWh in the last hour
        com.fasterxml.jackson.databind.node.ObjectNode heat = ApiClient.JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode reads = heat.putArray("nodes")
                .addObject()
                .put("id", "heat-meter")
                .put("type", "heat_meter")
                .putArray("readings");
        for (int i = 0; i <= 1; i++) {
            reads.addObject()
                    .put(
                            "ts",
                            java.time.Instant.ofEpochMilli(now - (1 - i) * 3_600_000L)
                                    .toString())
                    .put("quantity", "heat_energy")
                    .put("unit", "kWh")
                    .put("value", 5_000 + 12 * i)
                    .put("kind", "register");
        }
        assertThat(api.send("POST", "/api/v1/upload", keys.get(0), heat.toString())
                        .statusCode())
                .isEqualTo(200);
        // and a 9 kW sauna on now, so that the first home uses more than the others (its share using less is high)
        com.fasterxml.jackson.databind.node.ObjectNode sauna = ApiClient.JSON.createObjectNode();
        sauna.put("ts", now);
        sauna.putArray("nodes")
                .addObject()
                .put("id", "sauna")
                .putArray("readings")
                .addObject()
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", 9_000);
        assertThat(api.send("POST", "/api/v1/upload", keys.get(0), sauna.toString())
                        .statusCode())
                .isEqualTo(200);
        // and an emonTx with four CT clamps on circuits of the first home (100, 200, 0 and 50 W)
        com.fasterxml.jackson.databind.node.ObjectNode emontx = ApiClient.JSON.createObjectNode();
        emontx.put("ts", now);
        com.fasterxml.jackson.databind.node.ArrayNode clamps = emontx.putArray("nodes")
                .addObject()
                .put("id", "emontx")
                .put("name", "Circuits")
                .put("type", "sensor_node")
                .putArray("readings");
        double[] ct = {100, 200, 0, 50};
        for (int i = 0; i < ct.length; i++) {
            clamps.addObject()
                    .put("channel", "power" + (i + 1))
                    .put("quantity", "active_power")
                    .put("unit", "W")
                    .put("value", ct[i]);
        }
        assertThat(api.send("POST", "/api/v1/upload", keys.get(0), emontx.toString())
                        .statusCode())
                .isEqualTo(200);
        firstKey = keys.get(0);
        assertThat(api.send(
                                "POST",
                                "/api/v1/accounts",
                                operatorKey,
                                "{\"username\":\"ana\",\"password\":\"" + CUSTOMER_PASSWORD + "\",\"customer\":"
                                        + firstCustomer + "}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(api.send(
                                "POST",
                                "/api/v1/accounts",
                                operatorKey,
                                "{\"username\":\"olga\",\"password\":\"" + OPERATOR_PASSWORD + "\",\"customer\":0}")
                        .statusCode())
                .isEqualTo(201);
        base = "https://localhost:" + server.httpsPort();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + dir.resolve("chromium"),
                "--window-size=1280,1000");
        options.setAcceptInsecureCerts(true); // the demo's self-signed certificate
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    private static java.net.URI URI_OF(int port) {
        return java.net.URI.create("http://127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (simulator != null) {
            simulator.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static WebElement id(String id) {
        return browser.findElement(By.id(id));
    }

    private static void signIn(String username, String password) {
        browser.get(base + "/");
        waitUpTo(10).until(d -> !d.findElements(By.id("username")).isEmpty());
        id("username").sendKeys(username);
        id("password").sendKeys(password);
        id("signin-button").click();
    }

    /** The page fits a phone's width (nothing to scroll sideways), with a screenshot there; then desktop size again. */
    private static void assertFitsAPhone(String what, String screenshot) throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        Object wide = js("return [...document.querySelectorAll('body *')]"
                + ".filter(e => !e.closest('thead, .visually-hidden')"
                + " && e.getBoundingClientRect().right > window.innerWidth + 1)"
                + ".slice(-6).map(e => e.tagName + '#' + e.id + '.' + e.className + ' \"'"
                + " + e.textContent.slice(0, 24) + '\" in ' + (e.closest('section') || {}).id).join(', ')");
        assertThat((Long) js("return document.documentElement.scrollWidth - window.innerWidth"))
                .as("horizontal overflow of " + what + " on a phone (too wide: " + wide + ")")
                .isLessThanOrEqualTo(0);
        shot(screenshot);
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    /** Nothing the page loaded came from another server, and the browser reported no errors (CSP included). */
    private static void assertSelfContained() {
        Object foreign = js("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".filter(n => !n.startsWith(location.origin))");
        assertThat((List<?>) foreign).as("requests that left the server").isEmpty();
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                // API answers such as 401 (no session yet) or 404 (no relay state yet) are handled by the page;
                // script errors, CSP refusals and missing files are not
                .filter(e -> !e.getMessage()
                        .matches("(?s)https://localhost:\\d+/api/v1/\\S+ - Failed to load resource: the server"
                                + " responded with a status of 4\\d\\d.*"))
                .toList();
        assertThat(errors).as("browser errors").isEmpty();
    }

    @Test
    @Order(1)
    void wrongPassword_isRefused_thenCustomerSignsIn() throws Exception {
        signIn("ana", "not the password");
        waitUpTo(10).until(d -> id("signin-status").getText().contains("wrong username or password"));
        id("password").clear();
        id("password").sendKeys(CUSTOMER_PASSWORD);
        id("signin-button").click();
        waitUpTo(15).until(d -> d.getCurrentUrl().endsWith("/customer.html"));
        waitUpTo(15).until(d -> id("who").getText().equals("ana full access"));
        // the session cookie is HttpOnly: the page's script cannot read it
        assertThat((String) js("return document.cookie")).doesNotContain("mb_session");
        waitUpTo(15).until(d -> !id("energy-today").getText().equals("–"));
        // water, gas and heat have their own table: the heat meter's 12 kWh
        waitUpTo(15).until(d -> id("commodity-table").getText().contains("Heat"));
        assertThat(id("commodity-table").getText()).contains("12.00 kWh");
        // the community's share using less is a percentage from 0 to 100 (the API gives it in percent already)
        waitUpTo(15).until(d -> id("community-text").getText().contains("use less"));
        java.util.regex.Matcher share = java.util.regex.Pattern.compile("\\(([\\d,.]+) % use less\\)")
                .matcher(id("community-text").getText());
        assertThat(share.find()).as(id("community-text").getText()).isTrue();
        double shown = Double.parseDouble(share.group(1).replace(",", ""));
        double percentile = api.json("GET", "/api/v1/community", firstKey, null)
                .at("/power/percentile")
                .asDouble();
        assertThat(percentile)
                .as("the sauna puts the first home above the others")
                .isGreaterThan(10);
        assertThat(shown).isBetween(0.0, 100.0).isCloseTo(percentile, org.assertj.core.data.Offset.offset(1.0));
        shot("01-customer-dashboard");

        // the overview: today against yesterday, this month, the period's cost, bars per day, week and month
        waitUpTo(15).until(d -> !id("today-vs").getText().equals("–"));
        assertThat(id("today-vs-note").getText()).contains("than yesterday");
        waitUpTo(15).until(d -> id("period-cost").getText().endsWith("EUR"));
        assertThat(id("period-projected").getText()).contains("at this pace");
        waitUpTo(15)
                .until(d ->
                        d.findElements(By.cssSelector("#bars-table tbody tr")).size() >= 3);
        WebElement months = browser.findElement(By.cssSelector("#bar-intervals button[data-bars='month']"));
        js("arguments[0].scrollIntoView({block: 'center'})", months);
        months.click();
        waitUpTo(10).until(d -> id("bars-unit").getText().equals("month"));
        assertThat(months.getAttribute("aria-pressed")).isEqualTo("true");
        // a bill for the last three days, its lines and total, and the same as CSV
        String from = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Madrid"))
                .minusDays(3)
                .toString();
        String to = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Madrid"))
                .minusDays(1)
                .toString();
        js(
                "document.getElementById('bill-from').value = arguments[0];"
                        + "document.getElementById('bill-to').value = arguments[1]",
                from,
                to);
        id("bill-show").click();
        waitUpTo(15).until(d -> !d.findElements(By.id("bill-total")).isEmpty());
        assertThat(id("bill").getText()).contains("Standing charge").contains("EUR");
        String csvPath = id("bill-csv").getAttribute("href").replaceFirst("^https://[^/]+", "");
        java.net.http.HttpResponse<String> csv = api.send("GET", csvPath, firstKey, null);
        assertThat(csv.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(csv.body().lines().findFirst())
                .contains("period_from,period_to,tariff,line,quantity,unit,unit_price,amount,currency");
        assertThat(csv.body()).contains("Total").contains("Standing charge");
        String pdfPath = id("bill-pdf").getAttribute("href").replaceFirst("^https://[^/]+", "");
        assertThat(pdfPath).startsWith("/api/v1/bill.pdf?from=");
        java.net.http.HttpResponse<String> pdf = api.send("GET", pdfPath, firstKey, null);
        assertThat(pdf.statusCode()).isEqualTo(200);
        assertThat(pdf.body()).startsWith("%PDF-");
        shot("01b-overview-and-bill");
    }

    @Test
    @Order(2)
    void liveValuesChange() throws Exception {
        WebElement badge = id("live-state");
        waitUpTo(20).until(d -> badge.getAttribute("data-updates") != null);
        int first = Integer.parseInt(badge.getAttribute("data-updates"));
        String before = id("live-plug-1-active_power").getAttribute("title");
        waitUpTo(20).until(d -> Integer.parseInt(badge.getAttribute("data-updates")) >= first + 2);
        waitUpTo(20)
                .until(d ->
                        !id("live-plug-1-active_power").getAttribute("title").equals(before));
        assertThat(id("live-plug-1-voltage").getText()).endsWith(" V");
        assertThat(id("total-power").getText()).matches(".*\\d.*(W|kW)");
        // a device with four CT clamps shows their sum, each clamp named in the title
        waitUpTo(15).until(d -> "4".equals(id("live-emontx-active_power").getAttribute("data-channels")));
        assertThat(id("live-emontx-active_power").getText()).isEqualTo("350 W");
        assertThat(id("live-emontx-active_power").getAttribute("title")).contains("power2 200 W");
        shot("02-live-values");
    }

    @Test
    @Order(3)
    void chartZoomsByDragging_andFetchesFinerData() throws Exception {
        WebElement canvas = id("history-chart");
        js("arguments[0].scrollIntoView({block: 'center'})", canvas);
        browser.findElement(By.cssSelector("#ranges button[data-range='86400000']"))
                .click();
        waitUpTo(15)
                .until(d -> canvas.getAttribute("data-points") != null
                        && Long.parseLong(canvas.getAttribute("data-to"))
                                        - Long.parseLong(canvas.getAttribute("data-from"))
                                == 86_400_000L);
        long span = Long.parseLong(canvas.getAttribute("data-to")) - Long.parseLong(canvas.getAttribute("data-from"));
        double bucket = Double.parseDouble(canvas.getAttribute("data-bucket-seconds"));
        int w = canvas.getSize().getWidth();
        new Actions(browser)
                .moveToElement(canvas, (int) (w * 0.25) - w / 2, 0)
                .clickAndHold()
                .moveByOffset((int) (w * 0.3), 0)
                .release()
                .perform();
        waitUpTo(15)
                .until(d -> Long.parseLong(canvas.getAttribute("data-to"))
                                - Long.parseLong(canvas.getAttribute("data-from"))
                        < span / 2);
        long zoomed = Long.parseLong(canvas.getAttribute("data-to")) - Long.parseLong(canvas.getAttribute("data-from"));
        assertThat(zoomed).isLessThan(span / 2);
        assertThat(Double.parseDouble(canvas.getAttribute("data-bucket-seconds")))
                .isLessThan(bucket);
        assertThat(Integer.parseInt(canvas.getAttribute("data-points"))).isPositive();
        shot("03-history-zoomed");
        id("zoom-out").click();
        waitUpTo(15)
                .until(d -> Long.parseLong(canvas.getAttribute("data-to"))
                                - Long.parseLong(canvas.getAttribute("data-from"))
                        > zoomed);
    }

    @Test
    @Order(4)
    void relaySwitch_roundTrip_showsCommandStatus() throws Exception {
        WebElement relay = id("relay-plug-1");
        js("arguments[0].scrollIntoView({block: 'center'})", relay);
        waitUpTo(10).until(d -> relay.isEnabled());
        String was = relay.getAttribute("aria-pressed");
        relay.click();
        waitUpTo(40).until(d -> id("relay-status-plug-1").getText().startsWith("done"));
        String now = relay.getAttribute("aria-pressed");
        assertThat(now).isNotEqualTo(was);
        JsonNode state = api.json("GET", "/api/v1/devices/plug-1/relay?customer=" + firstCustomer, operatorKey, null);
        assertThat(state.get("on").asBoolean()).isEqualTo(now.equals("true"));
        assertThat(simulator.homes().get(0).relayOn(0)).isEqualTo(now.equals("true"));
        shot("04-relay-switched");
    }

    @Test
    @Order(5)
    void apiKey_createdShownOnce_thenRevoked() throws Exception {
        WebElement label = id("key-label");
        js("arguments[0].scrollIntoView({block: 'center'})", label);
        label.sendKeys("browser test");
        id("key-create").click();
        waitUpTo(10).until(d -> !d.findElements(By.id("new-key-secret")).isEmpty());
        String secret = id("new-key-secret").getText();
        assertThat(secret).startsWith("mbk_");
        assertThat(api.send("GET", "/api/v1/me", secret, null).statusCode()).isEqualTo(200);
        shot("05-api-key-created");
        WebElement revoke =
                waitUpTo(10).until(d -> d.findElement(By.cssSelector("button[aria-label='Revoke key browser test']")));
        revoke.click();
        browser.switchTo().alert().accept();
        waitUpTo(10).until(d -> id("key-status").getText().contains("revoked"));
        assertThat(api.send("GET", "/api/v1/me", secret, null).statusCode()).isEqualTo(401);
        // the secret is not shown again after a reload
        browser.navigate().refresh();
        waitUpTo(10).until(d -> id("who").getText().equals("ana full access"));
        assertThat(browser.getPageSource()).doesNotContain(secret);

        // a key for one device: its scope in the list, its CoAP pre-shared key shown with it
        WebElement label2 = id("key-label");
        js("arguments[0].scrollIntoView({block: 'center'})", label2);
        label2.sendKeys("kitchen plug");
        new org.openqa.selenium.support.ui.Select(id("key-scope")).selectByValue("device");
        waitUpTo(5).until(d -> id("key-target").isDisplayed());
        id("key-target").sendKeys("plug-1");
        id("key-create").click();
        waitUpTo(10).until(d -> !d.findElements(By.id("new-key-psk-identity")).isEmpty());
        String deviceSecret = id("new-key-secret").getText();
        assertThat(id("new-key-psk-identity").getText()).matches("k\\d+");
        assertThat(id("new-key-psk").getText()).hasSize(32);
        waitUpTo(10).until(d -> id("key-list").getText().contains("uploads for device plug-1"));
        shot("05b-device-key-created");
        assertThat(api.send("GET", "/api/v1/me", deviceSecret, null).statusCode())
                .isEqualTo(403);
        com.fasterxml.jackson.databind.node.ObjectNode upload = ApiClient.JSON.createObjectNode();
        upload.put("ts", System.currentTimeMillis());
        upload.putArray("nodes")
                .addObject()
                .put("id", "plug-1")
                .putArray("readings")
                .addObject()
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", 5);
        assertThat(api.send("POST", "/api/v1/upload", deviceSecret, upload.toString())
                        .statusCode())
                .isEqualTo(200);
        ((com.fasterxml.jackson.databind.node.ObjectNode)
                        upload.withArray("nodes").get(0))
                .put("id", "plug-2");
        assertThat(api.send("POST", "/api/v1/upload", deviceSecret, upload.toString())
                        .statusCode())
                .isEqualTo(422);
    }

    @Test
    @Order(6)
    void thirdPartyGrant_readsOnlyWhatWasGranted() throws Exception {
        waitUpTo(10).until(d -> !d.findElements(By.cssSelector("#grant-devices input[value='plug-1']"))
                .isEmpty());
        id("grant-app").sendKeys("Energy coach");
        browser.findElement(By.cssSelector("#grant-devices input[value='plug-1']"))
                .click();
        browser.findElement(By.cssSelector("#grant-quantities input[value='active_power']"))
                .click();
        WebElement create = id("grant-create");
        js("arguments[0].scrollIntoView({block: 'center'})", create);
        create.click();
        waitUpTo(10).until(d -> !d.findElements(By.id("new-grant-token")).isEmpty());
        String token = id("new-grant-token").getText();
        assertThat(token).startsWith("mbg_");
        JsonNode shared = api.json("GET", "/api/v1/shared", token, null);
        assertThat(shared.get("channels")).hasSize(1);
        assertThat(api.send("GET", "/api/v1/latest", token, null).statusCode()).isEqualTo(403);
        shot("06-grant");
    }

    @Test
    @Order(7)
    void onAPhone_thePageFitsTheScreen() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        waitUpTo(10).until(d -> id("who").getText().equals("ana full access"));
        waitUpTo(15).until(d -> !id("energy-today").getText().equals("–"));
        long overflow = (Long) js("return document.documentElement.scrollWidth - window.innerWidth");
        assertThat(overflow).as("horizontal overflow on a phone").isLessThanOrEqualTo(0);
        // every form control has a label
        Object unlabelled = js(
                "return [...document.querySelectorAll('input, select')]"
                        + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.name)");
        assertThat((List<?>) unlabelled).isEmpty();
        // tables are cards on a phone: the relay switch is on the screen, not behind a sideways scroll
        WebElement relay = waitUpTo(10).until(d -> d.findElement(By.id("relay-plug-1")));
        js("arguments[0].scrollIntoView({block: 'center'})", relay);
        Number right = (Number) js("return arguments[0].getBoundingClientRect().right", relay);
        assertThat(right.doubleValue()).as("the relay switch's right edge").isLessThanOrEqualTo(390);
        shot("07-phone");
        // the system's dark mode turns the page dark
        ((org.openqa.selenium.chromium.HasCdp) browser)
                .executeCdpCommand(
                        "Emulation.setEmulatedMedia",
                        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        assertThat((String) js("return getComputedStyle(document.body).backgroundColor"))
                .isEqualTo("rgb(20, 23, 27)");
        shot("07b-phone-dark");
        ((org.openqa.selenium.chromium.HasCdp) browser)
                .executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
        browser.manage().window().setSize(new Dimension(1280, 1000));
        assertSelfContained();
    }

    @Test
    @Order(8)
    void alertsPage_choosesHowAlarmsReachTheCustomer_andAddsARule() throws Exception {
        browser.get(base + "/alerts.html");
        waitUpTo(10).until(d -> id("who").getText().equals("ana full access"));
        waitUpTo(10).until(d -> !d.findElements(By.cssSelector("#r-device option[value='plug-1']"))
                .isEmpty());
        id("n-email").clear();
        id("n-email").sendKeys("ana@example.org");
        id("n-types").sendKeys("tamper, leak");
        new Select(id("n-severity")).selectByValue("alarm");
        id("n-push").click();
        id("n-push-types").sendKeys("tamper");
        js("arguments[0].value = '22:00'; arguments[1].value = '07:00'", id("n-quiet-from"), id("n-quiet-to"));
        id("n-digest").clear();
        id("n-digest").sendKeys("10");
        id("notify-save").click();
        waitUpTo(10).until(d -> id("notify-status").getText().equals("Saved."));
        JsonNode n = api.json("GET", "/api/v1/notifications", firstKey, null).get("settings");
        assertThat(n.get("email").asText()).isEqualTo("ana@example.org");
        assertThat(n.get("types").toString()).isEqualTo("[\"tamper\",\"leak\"]");
        assertThat(n.get("min_severity").asText()).isEqualTo("alarm");
        assertThat(n.get("push").asBoolean()).isTrue();
        assertThat(n.get("push_types").toString()).isEqualTo("[\"tamper\"]");
        assertThat(n.get("quiet_from").asText()).startsWith("22:00");
        assertThat(n.get("quiet_to").asText()).startsWith("07:00");
        assertThat(n.get("digest_minutes").asInt()).isEqualTo(10);
        // the page reads them back
        browser.navigate().refresh();
        waitUpTo(10).until(d -> id("n-email").getAttribute("value").equals("ana@example.org"));
        assertThat(id("n-push").isSelected()).isTrue();
        assertThat(id("n-digest").getAttribute("value")).isEqualTo("10");
        // subscribing this browser: headless Chromium has no push service, and the page says why it could not
        id("push-subscribe").click();
        waitUpTo(15).until(d -> id("push-status").getText().startsWith("This browser"));
        assertThat(id("push-status").getText()).matches("This browser (could not subscribe|cannot receive).+");

        // a rule: plug-1 above 2 kW for a minute
        waitUpTo(10).until(d -> !d.findElements(By.cssSelector("#r-device option[value='plug-1']"))
                .isEmpty());
        id("r-type").sendKeys("plug_overload");
        new Select(id("r-quantity")).selectByValue("active_power");
        id("r-value").sendKeys("2000");
        new Select(id("r-device")).selectByValue("plug-1");
        new Select(id("r-severity")).selectByValue("alarm");
        id("rule-add").click();
        waitUpTo(10).until(d -> id("rule-status").getText().equals("Rule added."));
        JsonNode rule = null;
        for (JsonNode r : api.json("GET", "/api/v1/alarm-rules", firstKey, null)) {
            if (r.get("type").asText().equals("plug_overload")) {
                rule = r;
            }
        }
        assertThat(rule).as("the rule is stored").isNotNull();
        assertThat(rule.get("value").asDouble()).isEqualTo(2000);
        assertThat(rule.get("device").asText()).isEqualTo("plug-1");
        assertThat(rule.get("for_seconds").asInt()).isEqualTo(60);
        waitUpTo(10).until(d -> id("rule-list").getText().contains("Power above 2000 for 60 s on plug-1"));
        shot("08-alerts");
        assertFitsAPhone("the alerts page", "08b-alerts-phone");
        String ruleId = rule.get("id").asText();
        browser.findElement(By.cssSelector("button[data-rule='" + ruleId + "']"))
                .click();
        waitUpTo(10).until(d -> id("rule-status").getText().equals("Removed."));
        boolean stillThere = false;
        for (JsonNode r : api.json("GET", "/api/v1/alarm-rules", firstKey, null)) {
            stillThere |= r.get("id").asText().equals(ruleId);
        }
        assertThat(stillThere).isFalse();
        assertSelfContained();
    }

    @Test
    @Order(9)
    void aNewDevice_isNamedOnFirstAppearance_andItsPageSchedulesAndEnrolsIt() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode boiler = ApiClient.JSON.createObjectNode();
        boiler.put("ts", System.currentTimeMillis());
        boiler.putArray("nodes")
                .addObject()
                .put("id", "shellyplus1pm-a8032ab12345")
                .putArray("readings")
                .addObject()
                .put("quantity", "active_power")
                .put("unit", "W")
                .put("value", 1_800);
        assertThat(api.send("POST", "/api/v1/upload", firstKey, boiler.toString())
                        .statusCode())
                .isEqualTo(200);
        // what the installation says to everyone (the demo: history loading) is shown above the page
        server.control().notice("demo-history", "Demo: writing 35 days of history, 3 of 50 homes done.");
        browser.get(base + "/customer.html");
        waitUpTo(10).until(d -> id("notices").getText().contains("3 of 50 homes done"));
        // the home's forecast card says what there is (a figure, or why not yet) and the incidents are listed
        JsonNode forecasts = api.json("GET", "/api/v1/forecasts", firstKey, null);
        if (forecasts.get("meters").isEmpty()) {
            waitUpTo(10).until(d -> id("forecast-note").getText().startsWith("not yet"));
        } else {
            waitUpTo(10).until(d -> id("forecast-total").getText().endsWith("Wh"));
        }
        waitUpTo(10).until(d -> !id("incident-list").getText().isEmpty());
        server.control().notice("demo-history", null);
        assertThat(api.json("GET", "/api/v1/notices", firstKey, null)).isEmpty();
        String ref = "shellyplus1pm-a8032ab12345";
        waitUpTo(15).until(d -> !d.findElements(By.id("new-name-" + ref)).isEmpty());
        shot("09-new-device");
        id("new-name-" + ref).sendKeys("Boiler");
        new Select(id("new-category-" + ref)).selectByValue("water_heater");
        browser.findElement(By.cssSelector("#new-" + ref + " button[type=submit]"))
                .click();
        waitUpTo(10).until(d -> d.findElements(By.id("new-" + ref)).isEmpty());
        JsonNode named = null;
        for (JsonNode d : api.json("GET", "/api/v1/devices", firstKey, null)) {
            if (d.get("ref").asText().equals(ref)) {
                named = d;
            }
        }
        assertThat(named).isNotNull();
        assertThat(named.get("name").asText()).isEqualTo("Boiler");
        assertThat(named.get("category").asText()).isEqualTo("water_heater");

        // plug-1's own page: its energy per day from the three days of history
        waitUpTo(10).until(d -> d.findElement(By.id("link-plug-1"))).click();
        waitUpTo(10).until(d -> d.getCurrentUrl().endsWith("/appliance.html?ref=plug-1"));
        waitUpTo(15).until(d -> id("energy-table").getText().contains("Wh"));
        assertThat(id("a-name").getAttribute("value")).isNotBlank();
        shot("09b-appliance");

        // the boiler's page: a schedule and the demand-response program for water heaters
        browser.get(base + "/appliance.html?ref=" + ref);
        waitUpTo(10).until(d -> id("title").getText().equals("Boiler"));
        js("arguments[0].value = '18:00'; arguments[1].value = '20:30'", id("s-from"), id("s-to"));
        id("s-add").click();
        waitUpTo(10).until(d -> id("schedule-status").getText().equals("Schedule added."));
        JsonNode schedule = null;
        for (JsonNode s : api.json("GET", "/api/v1/schedules", firstKey, null)) {
            if (ref.equals(s.path("device").asText())) {
                schedule = s;
            }
        }
        assertThat(schedule).as("the schedule is stored").isNotNull();
        assertThat(schedule.get("from").asText()).startsWith("18:00");
        assertThat(schedule.get("to").asText()).startsWith("20:30");
        assertThat(schedule.get("days").size()).isEqualTo(5);
        WebElement enrol = waitUpTo(10).until(d -> d.findElement(By.id("dr-heaters-" + ref)));
        assertThat(enrol.isSelected()).isFalse();
        enrol.click();
        waitUpTo(10).until(d -> id("dr-status").getText().contains("is enrolled"));
        assertThat(api.json("GET", "/api/v1/dr/enrolments", firstKey, null)
                        .get("heaters")
                        .toString())
                .contains(ref);
        // an event of the program to come: the customer keeps the boiler on during it
        java.time.Instant start = java.time.Instant.now().plusSeconds(3600);
        JsonNode event = api.json(
                "POST",
                "/api/v1/dr/events",
                operatorKey,
                ApiClient.JSON.writeValueAsString(Map.of(
                        "program",
                        "heaters",
                        "start",
                        start.toString(),
                        "end",
                        start.plusSeconds(3600).toString())));
        String eventId = event.get("id").asText();
        browser.navigate().refresh();
        waitUpTo(10)
                .until(d -> d.findElement(By.id("override-" + eventId + "-" + ref)))
                .click();
        waitUpTo(10).until(d -> id("dr-status").getText().contains("stays on"));
        assertThat(api.json("GET", "/api/v1/dr/events/" + eventId, firstKey, null)
                        .get("overrides")
                        .toString())
                .contains(firstCustomer + "/" + ref);
        waitUpTo(10).until(d -> !id("forecast").getText().isEmpty());
        shot("09c-appliance-boiler");
        assertFitsAPhone("an appliance's page", "09d-appliance-phone");
        // the category's page lists it
        browser.get(base + "/appliance.html?category=water_heater");
        waitUpTo(10).until(d -> id("members").getText().contains("Boiler"));
        assertSelfContained();
    }

    @Test
    @Order(10)
    void aSolarHome_seesItsEnergyFlow_nowAndDayByDay() throws Exception {
        assertThat(api.send(
                                "POST",
                                "/api/v1/accounts",
                                operatorKey,
                                ApiClient.JSON.writeValueAsString(Map.of(
                                        "username", "ben", "password", CUSTOMER_PASSWORD, "customer", solarCustomer)))
                        .statusCode())
                .isEqualTo(201);
        id("signout").click();
        waitUpTo(10).until(d -> !d.findElements(By.id("username")).isEmpty());
        signIn("ben", CUSTOMER_PASSWORD);
        waitUpTo(15).until(d -> d.getCurrentUrl().endsWith("/customer.html"));
        waitUpTo(15).until(d -> id("flow").isDisplayed());
        assertThat(id("flow-link").isDisplayed()).isTrue();
        // now: the grid meter's flow says its direction; the panels and the home have a figure
        waitUpTo(20).until(d -> !id("flow-home").getText().equals("–"));
        assertThat(id("flow-grid-note").getText()).isIn("taken from the grid", "sent to the grid");
        assertThat(id("flow-solar").getText()).matches(".*\\d.*(W|kW)");
        // day by day, from the balance: the table has the days of the history, each with its figures
        waitUpTo(15).until(d -> !d.findElements(By.cssSelector("#flow-table tbody tr"))
                .isEmpty());
        JsonNode balance = api.json(
                "GET",
                "/api/v1/energy/balance?interval=day&from=" + (System.currentTimeMillis() - 6 * 86_400_000L),
                keysOfSolar(),
                null);
        assertThat(balance.get("applies").asBoolean()).isTrue();
        assertThat(browser.findElements(By.cssSelector("#flow-table tbody tr")))
                .hasSize(balance.get("points").size());
        assertThat(id("flow-table").getText()).contains("From the grid").contains("Made");
        shot("12-energy-flow");
        // the fridge's plug is a sub-meter of the grid meter: the page shows them and what is not sub-metered
        String key = keysOfSolar();
        assertThat(api.send("PUT", "/api/v1/devices/plug-1/parent", key, "{\"parent\":\"grid\"}")
                        .statusCode())
                .isEqualTo(200);
        browser.navigate().refresh();
        waitUpTo(15).until(d -> id("meters").isDisplayed());
        waitUpTo(15).until(d -> !d.findElements(By.cssSelector("#tree-list tbody tr"))
                .isEmpty());
        assertThat(id("tree-list").getText())
                .contains("Grid connection and its sub-meters")
                .contains("Not sub-metered");
        assertFitsAPhone("the energy flow", "12b-energy-flow-phone");
        assertSelfContained();
    }

    /** The solar home's own key (a new one, made by the operator for the check). */
    private static String keysOfSolar() throws Exception {
        return server.registry()
                .createKey(solarCustomer, Role.CUSTOMER, "browser test")
                .secret();
    }

    @Test
    @Order(20)
    void operatorRegistersAGateway() throws Exception {
        id("signout").click();
        waitUpTo(10).until(d -> !d.findElements(By.id("username")).isEmpty());
        signIn("olga", OPERATOR_PASSWORD);
        waitUpTo(15).until(d -> d.getCurrentUrl().endsWith("/operator.html"));
        waitUpTo(15).until(d -> !d.findElements(By.cssSelector("#gw-customer option"))
                .isEmpty());
        new Select(id("gw-customer")).selectByValue(String.valueOf(firstCustomer));
        id("gw-name").sendKeys("Garage gateway");
        id("gw-address").sendKeys("192.168.1.40");
        id("gw-port").clear();
        id("gw-port").sendKeys("8081");
        id("gw-register").click();
        waitUpTo(10).until(d -> !d.findElements(By.id("gateway-key-secret")).isEmpty());
        String key = id("gateway-key-secret").getText();
        assertThat(key).startsWith("mbk_");
        waitUpTo(10).until(d -> id("gateway-list").getText().contains("garage-gateway"));
        // the key shown once works for the gateway's uploads
        long t = System.currentTimeMillis();
        assertThat(api.send(
                                "POST",
                                "/api/v1/upload",
                                key,
                                "{\"gateway\":\"garage-gateway\",\"nodes\":[{\"id\":"
                                        + "\"garage-plug\",\"readings\":[{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":12,\"ts\":"
                                        + t + "}]}]}")
                        .statusCode())
                .isEqualTo(200);
        JsonNode gateways = api.json("GET", "/api/v1/gateways?customer=" + firstCustomer, operatorKey, null);
        assertThat(gateways.findValuesAsText("ref")).contains("garage-gateway");
        assertThat(id("quarantine-list").getText()).isNotNull();
        shot("08-operator-gateway");

        // the overview, and customers found by a search on the server, a page at a time
        waitUpTo(15).until(d -> !d.findElements(By.id("ov-customers")).isEmpty());
        assertThat(id("ov-customers").getText())
                .isEqualTo(String.valueOf(server.registry().customers().size()));
        assertThat(id("ov-devices").getText()).contains(" of ");
        assertThat(id("overview-grid").getText()).contains("north").containsPattern("normal|peak|critical");
        WebElement search = id("c-q");
        js("arguments[0].scrollIntoView({block: 'center'})", search);
        search.sendKeys("home 3");
        waitUpTo(10).until(d -> id("customer-pages").getText().contains("1–1 of 1"));
        assertThat(id("customer-list").getText()).contains("Home 3").doesNotContain("Home 2");
        shot("09-operator-search");
        assertFitsAPhone("the console's overview and lists", "09b-operator-phone");
        WebElement deviceSearch = id("dev-q");
        js("arguments[0].scrollIntoView({block: 'center'})", deviceSearch);
        deviceSearch.sendKeys("sauna");
        waitUpTo(10).until(d -> id("device-pages").getText().contains("1–1 of 1"));
        assertThat(id("device-found").getText()).contains("sauna").contains("#" + firstCustomer);
        assertSelfContained();
    }

    @Test
    @Order(32)
    void aReadOnlyAccount_seesItsScope_andItsPageChangesNothing() throws Exception {
        assertThat(api.send(
                                "POST",
                                "/api/v1/accounts",
                                operatorKey,
                                ApiClient.JSON.writeValueAsString(Map.of(
                                        "username",
                                        "rita",
                                        "password",
                                        CUSTOMER_PASSWORD,
                                        "customer",
                                        firstCustomer,
                                        "scope",
                                        "read_only")))
                        .statusCode())
                .isEqualTo(201);
        signIn("rita", CUSTOMER_PASSWORD);
        waitUpTo(15).until(d -> d.getCurrentUrl().endsWith("/customer.html"));
        waitUpTo(15).until(d -> id("who").getText().equals("rita read only"));
        assertThat(id("read-only-note").isDisplayed()).isTrue();
        assertThat(id("key-create").isEnabled()).isFalse();
        waitUpTo(15).until(d -> !d.findElements(By.id("relay-plug-1")).isEmpty());
        assertThat(id("relay-plug-1").isEnabled()).isFalse();
        waitUpTo(10).until(d -> id("key-list").getText().contains("full access"));
        assertThat(browser.findElements(By.cssSelector("#key-list button"))).isEmpty();
        shot("10-read-only");
        assertSelfContained();

        // reading only, yet their own password is theirs to change: the name at the top leads to the account page
        browser.findElement(By.cssSelector("#who a")).click();
        waitUpTo(15).until(d -> d.getCurrentUrl().endsWith("/account.html"));
        waitUpTo(15).until(d -> id("me-username").getText().equals("rita"));
        assertThat(id("me-list").getText()).contains("read only");
        id("p-current").sendKeys(CUSTOMER_PASSWORD);
        id("p-new").sendKeys("a new password for rita");
        id("p-again").sendKeys("a new password, mistyped");
        id("password-save").click();
        waitUpTo(10).until(d -> id("password-status").getText().contains("differ"));
        id("p-again").clear();
        id("p-again").sendKeys("a new password for rita");
        id("password-save").click();
        waitUpTo(10).until(d -> id("password-status").getText().startsWith("Password changed"));
        assertFitsAPhone("the account page", "10b-account-phone");
        assertSelfContained();
        // this browser stays signed in with the new session (its changes carry the new CSRF token)
        browser.navigate().refresh();
        waitUpTo(15).until(d -> id("me-username").getText().equals("rita"));
        assertThat(api.send(
                                "POST",
                                "/api/v1/session",
                                null,
                                ApiClient.JSON.writeValueAsString(
                                        Map.of("username", "rita", "password", "a new password for rita")))
                        .statusCode())
                .isEqualTo(200);
        id("signout").click();
        waitUpTo(10).until(d -> !d.findElements(By.id("username")).isEmpty());
    }

    @Test
    @Order(33)
    void aNewInstallation_opensOnFirstRunSetup_andItsOperatorSignsIn() throws Exception {
        Path fresh = Files.createTempDirectory("meterbase-setup");
        try (Meterbase empty = Meterbase.start(
                TestConfigs.httpOnly(fresh).with("http.tls.port", "0").with("http.tls.self-signed", "true"),
                Clock.systemUTC())) {
            browser.get("https://localhost:" + empty.httpsPort() + "/");
            waitUpTo(15).until(d -> d.getCurrentUrl().endsWith("/setup.html"));
            waitUpTo(10).until(d -> !d.findElements(By.id("username")).isEmpty());
            assertThat(id("operator-key-label").isDisplayed())
                    .as("this machine needs no key")
                    .isFalse();
            id("username").sendKeys("boss");
            id("password").sendKeys(OPERATOR_PASSWORD);
            shot("11-first-run-setup");
            assertFitsAPhone("the setup page", "11b-first-run-setup-phone");
            id("setup-button").click();
            waitUpTo(15).until(d -> d.getCurrentUrl().endsWith("/operator.html"));
            waitUpTo(15).until(d -> id("who").getText().equals("boss admin"));
            assertSelfContained();
            id("signout").click();
            waitUpTo(10).until(d -> !d.findElements(By.id("signin-button")).isEmpty());
            // set up once: the sign-in page stays
            assertThat(browser.getCurrentUrl()).doesNotEndWith("/setup.html");
        }
    }

    @Test
    @Order(24)
    void console_alarmsAndIncidents_areFilteredOnTheServer() throws Exception {
        for (String device : List.of("plug-2", "plug-3")) {
            assertThat(api.send(
                                    "POST",
                                    "/api/v1/events",
                                    firstKey,
                                    ApiClient.JSON.writeValueAsString(
                                            Map.of("device", device, "type", "tamper_case_open")))
                            .statusCode())
                    .isBetween(200, 299);
        }
        assertThat(api.send("POST", "/api/v1/events", firstKey, "{\"device\":\"plug-4\",\"type\":\"door_open\"}")
                        .statusCode())
                .isBetween(200, 299);
        browser.get(base + "/console-alarms.html");
        waitUpTo(10).until(d -> id("who").getText().startsWith("olga"));
        new Select(id("af-severity")).selectByValue("alarm");
        id("af-type").sendKeys("tamper");
        id("af-apply").click();
        JsonNode expected =
                api.json("GET", "/api/v1/alarms?state=active&severity=alarm&type=tamper", operatorKey, null);
        assertThat(expected.size()).isGreaterThanOrEqualTo(2);
        waitUpTo(10)
                .withMessage(() -> "the page says '" + id("alarm-count").getText() + "' '"
                        + id("alarm-status").getText() + "'")
                .until(d -> id("alarm-count").getText().equals(expected.size() + " alarms."));
        assertThat(id("alarm-list").getText()).contains("tamper_case_open").doesNotContain("door_open");
        shot("24-console-alarms");
        String first = expected.get(0).get("id").asText();
        browser.findElement(By.cssSelector("button[data-ack='" + first + "']")).click();
        waitUpTo(10).until(d -> id("alarm-status").getText().equals("Acknowledged."));
        assertThat(api.json("GET", "/api/v1/alarms/" + first, operatorKey, null)
                        .get("state")
                        .asText())
                .isEqualTo("acknowledged");
        // the active list no longer has it
        waitUpTo(10).until(d -> id("alarm-count")
                .getText()
                .equals((expected.size() - 1) + " alarm" + (expected.size() - 1 == 1 ? "" : "s") + "."));
        assertThat(id("incident-status").getText()).isEmpty();
        assertFitsAPhone("the alarms page", "24b-console-alarms-phone");
        assertSelfContained();
    }

    @Test
    @Order(25)
    void console_forecastsAndClusters_sayWhatTheServerHas() throws Exception {
        browser.get(base + "/console-analytics.html");
        waitUpTo(10).until(d -> id("who").getText().startsWith("olga"));
        waitUpTo(10).until(d -> !id("analytics-state").getText().isEmpty());
        id("run-now").click();
        waitUpTo(120).until(d -> id("run-status").getText().equals("Done."));
        assertThat(id("analytics-state").getText()).startsWith("Last run");
        var forecast = api.send("GET", "/api/v1/communities/north/forecast", operatorKey, null);
        if (forecast.statusCode() == 200) {
            waitUpTo(10).until(d -> id("fc-summary").getText().contains("kWh in the next"));
            assertThat(browser.findElements(By.cssSelector("#fc-table tbody tr")))
                    .hasSize(ApiClient.JSON
                            .readTree(forecast.body())
                            .get("hours")
                            .size());
        } else {
            waitUpTo(10).until(d -> id("fc-summary").getText().startsWith("No forecast for north yet"));
        }
        var clusters = api.send("GET", "/api/v1/clusters", operatorKey, null);
        if (clusters.statusCode() == 200) {
            waitUpTo(10).until(d -> id("cl-summary").getText().contains("clusters from"));
        } else {
            waitUpTo(10).until(d -> id("cl-summary").getText().startsWith("no clustering yet"));
        }
        // a feeder balanced from the console: the solar home's grid meter stands in for the feeder's supply meter
        id("bal-community").sendKeys("north");
        id("bal-customer").sendKeys(String.valueOf(solarCustomer));
        id("bal-device").sendKeys("grid");
        id("bal-alarm").sendKeys("10");
        id("bal-save").click();
        waitUpTo(10).until(d -> id("bal-status").getText().contains("north is saved"));
        waitUpTo(15).until(d -> id("bal-list").getText().contains("north: electricity, supply grid"));
        JsonNode days = api.json(
                        "GET",
                        "/api/v1/balances/north?from=" + (System.currentTimeMillis() - 8 * 86_400_000L),
                        operatorKey,
                        null)
                .get("days");
        assertThat(browser.findElements(By.cssSelector("#bal-list tbody tr"))).hasSize(Math.max(1, days.size()));
        shot("25-console-analytics");
        assertFitsAPhone("the analytics page", "25b-console-analytics-phone");
        assertSelfContained();
    }

    @Test
    @Order(26)
    void console_editsTariffsAndPrograms_listsAccounts_andShowsTheNode() throws Exception {
        assertThat(api.send(
                                "POST",
                                "/api/v1/accounts",
                                operatorKey,
                                ApiClient.JSON.writeValueAsString(Map.of(
                                        "username",
                                        "temp-user",
                                        "password",
                                        CUSTOMER_PASSWORD,
                                        "customer",
                                        firstCustomer)))
                        .statusCode())
                .isEqualTo(201);
        browser.get(base + "/console-admin.html");
        waitUpTo(10).until(d -> id("who").getText().startsWith("olga"));
        // a time-of-use tariff, then a new version of it
        id("t-id").sendKeys("night-saver");
        id("t-name").sendKeys("Night saver");
        id("t-group").clear();
        id("t-group").sendKeys("night-owls"); // the default group has the demo's tariff already
        new Select(id("t-pricing")).selectByValue("time_of_use");
        id("t-price").sendKeys("0.2");
        id("t-periods").sendKeys("night, MON-SUN, 00:00, 07:00, 0.1");
        id("t-save").click();
        waitUpTo(10)
                .withMessage(() -> id("tariff-status").getText())
                .until(d -> id("tariff-status").getText().equals("Tariff night-saver saved."));
        JsonNode tariff = api.json("GET", "/api/v1/tariffs/night-saver", operatorKey, null);
        JsonNode period = tariff.at("/versions/0/periods/0");
        assertThat(period.get("price").asDouble()).isEqualTo(0.1);
        assertThat(period.get("days").size()).isEqualTo(7);
        assertThat(tariff.at("/versions/0/price").asDouble()).isEqualTo(0.2);
        String nextMonth =
                java.time.LocalDate.now().plusMonths(1).withDayOfMonth(1).toString();
        js("arguments[0].value = arguments[1]", id("t-from"), nextMonth);
        new Select(id("t-pricing")).selectByValue("flat");
        id("t-price").clear();
        id("t-price").sendKeys("0.22");
        id("t-save").click();
        waitUpTo(10).until(d -> id("tariff-status").getText().startsWith("A new version of night-saver"));
        tariff = api.json("GET", "/api/v1/tariffs/night-saver", operatorKey, null);
        assertThat(tariff.get("versions").size()).isEqualTo(2);
        assertThat(tariff.at("/versions/1/effective_from").asText()).isEqualTo(nextMonth);
        // and blocks from the month after: 200 kWh at 0.12, then 0.25
        String later = java.time.LocalDate.now().plusMonths(2).withDayOfMonth(1).toString();
        js("arguments[0].value = arguments[1]", id("t-from"), later);
        new Select(id("t-pricing")).selectByValue("tiered");
        id("t-tiers").sendKeys("200, 0.12\n, 0.25");
        id("t-save").click();
        waitUpTo(10).until(d -> id("tariff-status").getText().contains("from " + later));
        tariff = api.json("GET", "/api/v1/tariffs/night-saver", operatorKey, null);
        assertThat(tariff.at("/versions/2/pricing").asText()).isEqualTo("tiered");
        assertThat(tariff.at("/versions/2/tiers/0/up_to").asDouble()).isEqualTo(200);
        assertThat(tariff.at("/versions/2/tiers/1/price").asDouble()).isEqualTo(0.25);

        // a demand-response program for EV chargers
        id("p-id").sendKeys("evs");
        id("p-name").sendKeys("EV chargers");
        id("p-community").sendKeys("north");
        id("p-categories").sendKeys("ev_charger");
        id("p-save").click();
        waitUpTo(10).until(d -> id("program-status").getText().equals("Program evs saved."));
        assertThat(api.json("GET", "/api/v1/dr/programs", operatorKey, null).toString())
                .contains("\"id\":\"evs\"")
                .contains("ev_charger");

        // accounts: searched on the server, one removed (its own has no remove button)
        waitUpTo(10).until(d -> id("account-list").getText().contains("olga"));
        assertThat(browser.findElements(By.cssSelector("button[data-account='olga']")))
                .isEmpty();
        id("acc-q").sendKeys("temp");
        waitUpTo(10).until(d -> id("account-pages").getText().startsWith("1–1 of 1"));
        browser.findElement(By.cssSelector("button[data-account='temp-user']")).click();
        browser.switchTo().alert().accept();
        waitUpTo(10).until(d -> id("account-status").getText().equals("temp-user removed."));
        assertThat(api.json("GET", "/api/v1/accounts?q=temp", operatorKey, null)
                        .get("total")
                        .asInt())
                .isZero();

        // the node's settings, found and filtered
        waitUpTo(10).until(d -> id("node-settings").getText().contains("http.port"));
        assertThat(id("node-commands").getText()).contains("meterbase operator-key");
        id("set-q").sendKeys("smtp");
        waitUpTo(10).until(d -> !id("node-settings").getText().contains("http.port"));
        assertThat(id("node-settings").getText()).contains("notifications.smtp.host");
        id("set-q").clear();
        id("set-changed").click();
        waitUpTo(10).until(d -> !id("node-settings").getText().contains("notifications.smtp.host"));
        assertThat(id("node-settings").getText()).contains("http.tls.port");
        shot("26-console-admin");
        assertFitsAPhone("the admin page", "26b-console-admin-phone");
        assertSelfContained();
    }

    @Test
    @Order(31)
    void customerPageIsNotForOperators_andSignedOutPagesGoToSignIn() {
        browser.get(base + "/customer.html");
        waitUpTo(10).until(d -> d.getCurrentUrl().endsWith("/operator.html"));
        id("signout").click();
        waitUpTo(10).until(d -> !d.findElements(By.id("username")).isEmpty());
        browser.get(base + "/operator.html");
        waitUpTo(10).until(d -> !d.findElements(By.id("username")).isEmpty());
        assertThat(Map.of("url", browser.getCurrentUrl()).get("url")).doesNotEndWith("/operator.html");
    }
}
