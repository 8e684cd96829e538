package io.meterbase.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shape of the code, checked on every build (docs/architecture.md explains each rule): core knows no framework,
 * database or protocol; formats know only core; transports reach the rest of Meterbase through core's ports; no
 * package depends on itself through others.
 */
@AnalyzeClasses(packages = "io.meterbase", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreKnowsNoFrameworkDatabaseOrProtocol = classes()
            .that()
            .resideInAPackage("io.meterbase.core..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "io.meterbase.core..",
                    "java..",
                    "javax.crypto..",
                    "org.slf4j..",
                    "org.jspecify.annotations..",
                    // the streaming JSON writer only (quarantine records), no data binding
                    "com.fasterxml.jackson.core..")
            .because("the domain and the pipeline are tested without a server, a database or a broker");

    @ArchTest
    static final ArchRule formatsKnowOnlyCore = classes()
            .that()
            .resideInAPackage("io.meterbase.formats..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "io.meterbase.core..",
                    "io.meterbase.formats..",
                    "java..",
                    "org.slf4j..",
                    "org.jspecify.annotations..",
                    "com.fasterxml.jackson..")
            .because("a format is a decoder registered in the core's FormatRegistry, nothing more");

    @ArchTest
    static final ArchRule transportsReachMeterbaseThroughCorePorts = noClasses()
            .that()
            .resideInAPackage("io.meterbase.transport..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.meterbase.services..",
                    "io.meterbase.analytics..",
                    "io.meterbase.formats..",
                    "io.meterbase.store..",
                    "io.meterbase.http..",
                    "io.meterbase.app..")
            .because("a transport maps the intake's results to its own answers and uses the ports core declares");

    @ArchTest
    static final ArchRule httpDoesNotReachIntoFormatsStoresOrTransports = noClasses()
            .that()
            .resideInAPackage("io.meterbase.http..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.meterbase.formats..",
                    "io.meterbase.store..",
                    "io.meterbase.transport..",
                    "io.meterbase.services..",
                    "io.meterbase.analytics..",
                    "io.meterbase.app..")
            .because("HTTP takes input through the intake, reads through core's store interfaces and uses the"
                    + " services and analytics through the ports core declares (ServicesApi, AnalyticsApi)");

    @ArchTest
    static final ArchRule identityKnowsNoWebFrameworkOrTransport = noClasses()
            .that()
            .resideInAPackage("io.meterbase.identity..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.javalin..",
                    "org.eclipse.jetty..",
                    "jakarta.servlet..",
                    "io.meterbase.http..",
                    "io.meterbase.transport..",
                    "io.meterbase.store..",
                    "io.meterbase.services..",
                    "io.meterbase.analytics..",
                    "io.meterbase.app..")
            .because("accounts, sessions and grants are kept below the edges that use them, on core alone");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.meterbase.(**)")
            .should()
            .beFreeOfCycles()
            .because("a package that depends on itself through others cannot be understood or moved alone");
}
