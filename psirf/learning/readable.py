"""Words that learning needs and that the name finder must leave readable.

The name lists (psirf/learning/lexicon.py) hold real surnames and given names that are also
clinical or NHS words ("Doctor", "Colon", "Oral", "Kidney", "Amber", "Iris"), and primary-care
prose capitalises roles and services ("the Practice Nurse", "Reception staff"). These lists say
which words to keep. All are lower case; matching ignores case unless the list says otherwise.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DAYS = _words("""
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat
    easter christmas whitsun ramadan eid diwali vaisakhi hanukkah passover
""")
MONTHS = _words("""
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
""")
# Months and days that are also given names: "June Okoro" and "Sunday Adeleke" are people, "in
# June" and "on Sunday" dates.
DATES_THAT_ARE_NAMES = _words("april may june august sunday")
# After these, a month or day is a date, whatever follows it ("in May Dr Shah ...").
DATE_WORDS = _words("""
    in on of since until till by from early late mid end last next this during before after
    between to and or each every same
""")

ROLES = _words("""
    gp gps doctor doctors nurse nurses sister matron pharmacist pharmacists technician technicians
    dispenser dispensers receptionist receptionists reception manager managers partner partners
    registrar registrars locum locums practitioner practitioners paramedic paramedics physician
    physicians associate associates optometrist optometrists optician opticians dentist dentists
    hygienist hygienists therapist therapists carer carers midwife midwives visitor visitors lead
    leads team teams admin administrator staff clinician clinicians consultant consultants surgeon
    coordinator navigator prescriber prescribers duty clinical director officer guardian champion
    trainee trainees student students volunteer driver drivers dietitian physiotherapist
    podiatrist worker workers chair secretary hca hcas anp anps acp acps fy1 fy2 st1 st2 st3
    apprentice supervisor checker checkers owner superintendent responsible
""")

# The last word of an organisation's name: "Riverside Surgery", "St Mary's Hospital",
# "Sunnyside Care Home". A capitalised run ending in one is a place of care, kept whole: places of
# care are not people, and learning about them (the hospital a letter went to) is the point.
ORGANISATION_ENDINGS = _words("""
    surgery surgeries practice practices pharmacy pharmacies chemist chemists hospital hospitals
    infirmary clinic clinics hospice centre center trust pcn icb icbs federation partnership
    partners unit ward opticians optometrists dentists dental home laboratory laboratories
    pathology service services group network alliance college university council ccg
""")

SERVICE_WORDS = _words("""
    nhs england wales scotland ireland uk britain royal general district community primary
    secondary care health medical dental eye hearing mental learning disability disabilities
    register registers safety patient patients incident incidents event events response responses
    review reviews action actions plan plans summary record records repeat prescribing
    prescription prescriptions controlled drug drugs medicine medicines medication medications
    optimisation management quality outcomes framework enhanced access urgent emergency department
    same day walk-in treatment out hours hour crisis visit visits ambulance digital app online
    consultation consultations triage telephone video significant analysis candour
    safeguarding flag flags yellow card shared agreement agreements team
    protocol pathway pathways policy policies template templates system systems report reports
    audit audits meeting meetings huddle board committee panel governance complaint complaints
    referral referrals letter letters result results test tests screening screenings programme
    national local integrated commissioning board south north east west central city county
    acute chronic mind new old street road lane high st saint workflow docman
""")

SYSTEMS_AND_BRANDS = _words("""
    emis systmone vision docman accurx patchs ardens eps ers nhsmail rio pharmoutcomes proscript
    boots lloyds lloydspharmacy superdrug specsavers rowlands asda tesco sainsbury morrisons well
    bupa mydentist careplus oramorph calpol epipen jext emerade ventolin seretide fostair symbicort
    zoladex gaviscon movicol laxido fybogel dermol diprobase oilatum epaderm nurofen piriton
    sudocrem canesten lyrica viagra eliquis xarelto lixiana pradaxa sinemet madopar stalevo
    trulicity ozempic mounjaro wegovy lantus novorapid humalog levemir tresiba easyhaler relvar
    trelegy spiriva anoro clenil qvar salamol buccastem kwells adcal calcichew fultium invita
    zomorph oxynorm oxycontin butrans matrifen durogesic buvidal subutex espranor dosette
    nomad biodose epilim keppra tegretol lamictal priadel camcolit champix microgynon rigevidon
    cerazette nexplanon mirena fortisip fresubin
""")

DRUGS = _words("""
    paracetamol ibuprofen naproxen diclofenac aspirin codeine co-codamol co-dydramol
    dihydrocodeine tramadol morphine oxycodone fentanyl buprenorphine methadone gabapentin
    pregabalin amitriptyline nortriptyline duloxetine sertraline citalopram escitalopram
    fluoxetine paroxetine mirtazapine venlafaxine trazodone lithium valproate lamotrigine
    levetiracetam carbamazepine phenytoin topiramate quetiapine olanzapine risperidone aripiprazole
    clozapine haloperidol diazepam lorazepam temazepam zopiclone zolpidem promethazine melatonin
    warfarin apixaban rivaroxaban edoxaban dabigatran heparin enoxaparin dalteparin clopidogrel
    ticagrelor prasugrel dipyridamole atorvastatin simvastatin rosuvastatin pravastatin ezetimibe
    amlodipine nifedipine felodipine lercanidipine diltiazem verapamil ramipril lisinopril
    enalapril perindopril candesartan losartan irbesartan valsartan bisoprolol atenolol
    propranolol metoprolol carvedilol nebivolol sotalol doxazosin indapamide bendroflumethiazide
    furosemide bumetanide spironolactone eplerenone digoxin amiodarone isosorbide nicorandil gtn
    ivabradine ranolazine metformin gliclazide glimepiride sitagliptin linagliptin alogliptin
    empagliflozin dapagliflozin canagliflozin pioglitazone insulin liraglutide semaglutide
    dulaglutide tirzepatide exenatide levothyroxine carbimazole propylthiouracil prednisolone
    hydrocortisone dexamethasone methotrexate azathioprine mercaptopurine ciclosporin tacrolimus
    mycophenolate hydroxychloroquine sulfasalazine leflunomide allopurinol febuxostat colchicine
    alendronic alendronate risedronate denosumab calcium colecalciferol omeprazole lansoprazole
    esomeprazole pantoprazole ranitidine famotidine metoclopramide domperidone ondansetron
    cyclizine prochlorperazine loperamide lactulose senna macrogol bisacodyl docusate mebeverine
    amoxicillin co-amoxiclav penicillin phenoxymethylpenicillin flucloxacillin clarithromycin
    erythromycin azithromycin doxycycline lymecycline trimethoprim nitrofurantoin cefalexin
    ciprofloxacin levofloxacin metronidazole clindamycin fluconazole clotrimazole nystatin
    terbinafine aciclovir valaciclovir oseltamivir chlorhexidine salbutamol terbutaline
    beclometasone budesonide fluticasone formoterol salmeterol tiotropium montelukast theophylline
    cetirizine loratadine fexofenadine chlorphenamine adrenaline epinephrine naloxone glucagon
    oxygen lidocaine articaine prilocaine sumatriptan tamsulosin finasteride oxybutynin
    solifenacin mirabegron sildenafil tadalafil estradiol oestrogen progesterone levonorgestrel
    desogestrel medroxyprogesterone ulipristal tranexamic mefenamic folic ferrous cyanocobalamin
    hydroxocobalamin thiamine potassium sodium magnesium zinc iron donepezil memantine
    rivastigmine galantamine levodopa co-careldopa co-beneldopa ropinirole pramipexole rasagiline
    methylphenidate atomoxetine naltrexone disulfiram acamprosate varenicline nicotine emollient
    clobetasol betamethasone mometasone fusidic mupirocin permethrin isotretinoin tretinoin
    adapalene benzoyl fluoride varnish vitamin vaccine vaccines
""")

# Drug-name stems (the WHO's INN stems, with a few British spellings): an unknown capitalised
# word that ends in one is a medicine, not a person ("Edoxaban", "Empagliflozin").
DRUG_STEMS = re.compile(
    r"^\w{3,}(?:pril|sartan|olol|alol|statin|prazole|cillin|mycin|micin|floxacin|cycline|xaban"
    r"|gatran|parin|gliptin|gliflozin|glitazone|azepam|azolam|triptan|tidine|dronate|dronic|mab"
    r"|tinib|ciclovir|caine|dipine|semide|thiazide|oxetine|triptyline|pramine|peridol|profen"
    r"|coxib|olone|isone|asone|terol|tropium|conazole|glutide|setron|lukast|codamol|careldopa"
    r"|zepine|apine|afil|steride|formin|thyroxine|tretin)$"
)
# Clinical and everyday words that are also given names in some list: protected only in lower
# case, so "an amber flag" stays while "Amber phoned" is still a name.
LOWER_CASE_WORDS = _words("""
    iris amber gene max echo tab tabs cord gauge canal infant oral colon kidney delta beta alpha ion
    rim mist sage arch dot valid edit pat frank grace mark will may bill hope joy rose dawn summer
    sunny penny ray lance chase drew page reed dean guy art sue said long son van le de do an
    cherry ginger olive pepper basil holly ivy jade ruby pearl crystal coral violet lily daisy
    hazel heather jasmine willow autumn spring winter precious blessing faith patience charity
    comfort justice mercy honour hunter mason baker cook bishop marshal porter carter walker
    taylor butler shepherd young white green brown black gray grey bell hill wood field banks
    burns rice lamb fox stone wells
""")

# Eponyms: the possessive ("Parkinson's", "Crohn's") names a condition, not a person.
EPONYMS = _words("""
    parkinson alzheimer crohn addison cushing huntington hodgkin raynaud asperger tourette graves
    sjogren sjögren paget meniere ménière bell baker colles dupuytren marfan turner kawasaki
    hashimoto perthes osgood schlatter still wilson gilbert reiter barrett behcet behçet buerger
    guillain barre barré conn kaposi munchausen wernicke korsakoff bowen peyronie scheuermann
    stevens johnson ehlers danlos prader willi down downs dravet duchenne becker klinefelter noonan
    rett angelman apgar glasgow wells gillick fraser caldicott heberden bouchard osler horner
    epley heimlich valsalva babinski murphy rovsing mcburney kernig brudzinski trendelenburg
    phalen tinel romberg snellen ishihara amsler goldmann schirmer hirschsprung tay sachs bright
""")
# A capitalised word followed by one of these is an eponym ("Down syndrome", "Wells score",
# "Gillick competence"), whoever it is named after.
EPONYM_NOUNS = _words("""
    disease diseases syndrome palsy competence guidelines guidance guardian score scale criteria
    phenomenon manoeuvre maneuver lymphoma sarcoma contracture coma
""")
# ... and an eponym followed by one of these: "Murphy's sign", "Snellen chart", "Baker's cyst".
EPONYM_ONLY_NOUNS = _words("""
    sign chart grid test tonometry cyst fracture reflex ulcer node classification disorder
    procedure rule rules
""")

LANGUAGES = _words("""
    english welsh gaelic irish scottish polish romanian lithuanian latvian russian ukrainian
    portuguese spanish italian french german turkish kurdish arabic urdu punjabi bengali
    bangladeshi hindi gujarati tamil sinhala nepali somali tigrinya amharic swahili yoruba igbo
    twi hausa shona mandarin cantonese chinese vietnamese korean japanese thai tagalog filipino
    farsi persian pashto dari hungarian czech slovak bulgarian greek albanian british asian
    african caribbean european indian pakistani nigerian ghanaian
""")

# Honorifics: what follows one is a name ("Ms D'Souza", "mr okafor").
TITLES = _words("mr mrs ms miss mx dr prof sir dame lady lord rev revd")
# Titles that are also ordinary words in lower case ("did not miss the dose").
TITLES_ONLY_CAPITALISED = _words("miss sir dame lady lord prof rev revd")
# Roles used as a title: the role stays, the name after it goes ("Sister O'Brien").
ROLE_TITLES = _words("sister nurse matron father brother pharmacist")

# Lower-case words inside names: "Rhys ap Gwilym", "Maria de Souza", "Ludwig van Beethoven".
PARTICLES = _words(
    "ap ab van von de da di del della der den du dos das la le bin ibn bint al el ter ten ní nic mac ó ua"
)

# Verbs that follow a person: "Will noticed", "Grace was admitted", "Hope has since ...".
PERSON_VERBS = _words("""
    said says told asked phoned rang called was is has had took collected noticed reported
    explained attended saw felt agreed wrote emailed spoke visited received became came went left
    returned declined refused missed needed wanted found thought knew raised complained waited
    who whose would could did does didn't doesn't wasn't isn't hasn't hadn't
""")
LIST_WORDS = _words("and or &")
# Never a name at the start of a sentence, though some are given names somewhere ("She", "Can",
# "Else"). "Will", "May" and "Said" are left to the name rules.
FUNCTION_WORDS = _words("""
    a about above after again against all also although am an and any are as at be because been
    before being below between both but by can cannot could did do does doing down during each
    either else ever every few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just me more most my myself neither no
    nor not now of off on once only or other our ours ourselves out over own same several she
    should since so some such than that the their theirs them themselves then there these they
    this those though through thus to too under until up upon us very was we were what when where
    whether which while who whom whose why with within without would yet you your yours already
    always never often sometimes soon still today tomorrow yesterday later earlier next last first
    second third one two three four five six seven eight nine ten nobody none nothing someone
    somebody something everyone everybody anyone anybody another
""")
# Abbreviations kept when written in capitals ("MR PATEL DOB ..." keeps DOB), whatever follows.
ACRONYMS = _words("""
    dob nhs gp gps inr bp ecg egfr copd ckd uti dnacpr mhra cqc nice seips psii aar mdt lfpse psirf
    pcn icb ooh ed ae ent gi icu itu sdec utc wic hca anp rn ct mri bnf cd cds mds eps ers scr ehr
    dna wna ppi nsaid nsaids ace arb doac doacs lmwh ssri snri tca hrt coc pop iud ius sti hiv hpv
    mmr bcg covid rsv tb mrsa ihd mi af tia cva pe dvt dka aki lft lfts fbc tft tfts psa fit crp
    esr bmi mdt sms nok lpa ipa poa gmc nmc gphc gdc goc hcpc amhp dols mca kpi qof les des iic
    iic mca
""")
# Verbs that open an action ("Ring Edith when the dose changes", "Chase Priya for the result"):
# at the start of a sentence one is not the first half of a name, even when it is a given name.
IMPERATIVES = _words("""
    ring call phone ask tell page chase thank text email contact inform remind invite book see add
    mark check review refer arrange offer send give let warn advise visit
""")

# Never part of a name, even straight after one ("Priya Monday", "Kofi Paracetamol").
ALWAYS_READABLE = DAYS | MONTHS | ROLES | DRUGS
# Kept on their own, but also surnames ("Jane Lane", "Brenda English"), so a word of these
# straight after a name is taken as part of it.
READABLE_ALONE = SERVICE_WORDS | ORGANISATION_ENDINGS | SYSTEMS_AND_BRANDS | LANGUAGES


def always_readable(word: str) -> bool:
    """A day, month, role or drug (by name or by its stem), kept in any case and any place."""
    lowered = word.lower()
    return lowered in ALWAYS_READABLE or bool(DRUG_STEMS.match(lowered))


def readable_alone(word: str) -> bool:
    return word.lower() in READABLE_ALONE
